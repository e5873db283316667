// How a committed group of writes answers each request, for both group commits: PostgresStorage's
// appends, and SQLite's one transaction per turn (server/sqliteGroupCommit.ts). Every request of a
// batch is written in one transaction with a savepoint each, so one request's failure is its own
// outcome; a commit that fails refuses them all.

import type { NewUpdate } from './validate.ts'

/** A request waiting in a batch: told its result once the batch committed. */
export interface Settleable<T> {
  resolve: (value: T) => void
  reject: (err: unknown) => void
}

/** One request's result inside a committed batch: its value, or the error its savepoint rolled back. */
export type Outcome<T> = { value: T } | { error: unknown }

export interface PendingAppend extends Settleable<number[]> {
  room: string
  updates: NewUpdate[]
}

/** An append's outcome: the seqs it was stored at. */
export type AppendOutcome = Outcome<number[]>

/** Answers every request of a committed batch with its own outcome (same order as the batch). */
export function settleBatch<T>(batch: ReadonlyArray<Settleable<T>>, outcomes: ReadonlyArray<Outcome<T>>): void {
  batch.forEach((req, i) => {
    const o = outcomes[i]
    if ('value' in o) req.resolve(o.value)
    else req.reject(o.error)
  })
}

/** The whole batch failed to commit: nothing of it is stored, every request is refused. */
export function failBatch(batch: ReadonlyArray<Settleable<never>>, error: unknown): void {
  for (const req of batch) req.reject(error)
}
