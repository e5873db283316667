// PostgresStorage's group commit: an append waiting for the next batch, and how a committed batch
// answers each request. Every request of a batch is written in one transaction with a savepoint
// each, so one request's failure is its own outcome. (SqliteStorage shares one committer with the
// other SQLite stores of the write path instead: server/sqliteGroupCommit.ts.)

import type { NewUpdate } from './validate.ts'

export interface PendingAppend {
  room: string
  updates: NewUpdate[]
  resolve: (seqs: number[]) => void
  reject: (err: unknown) => void
}

/** One request's result inside a committed batch: its seqs, or the error its savepoint rolled back. */
export type AppendOutcome = { seqs: number[] } | { error: unknown }

/** Answers every request of a committed batch with its own outcome (same order as the batch). */
export function settleBatch(batch: PendingAppend[], outcomes: AppendOutcome[]): void {
  batch.forEach((req, i) => {
    const o = outcomes[i]
    if ('seqs' in o) req.resolve(o.seqs)
    else req.reject(o.error)
  })
}

/** The whole batch failed to commit: nothing of it is stored, every request is refused. */
export function failBatch(batch: PendingAppend[], error: unknown): void {
  for (const req of batch) req.reject(error)
}
