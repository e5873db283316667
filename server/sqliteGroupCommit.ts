// One durable transaction per event-loop turn for everything the write path writes to the
// server's SQLite database: document appends (SqliteStorage), client-id claims (SqliteClientIds)
// and the detector's client owners (SqliteClientOwners). With `synchronous=FULL` every transaction
// is an fsync on the event loop, during which nothing else moves: a burst of new rooms paid one
// per room for its claim and one for its owner, outside the appends' group commit
// (docs/benchmarks.md). Now what a turn asked for shares one IMMEDIATE transaction.
//
// Each write runs in its own savepoint, in the order requested (so a check-and-insert sees every
// write requested before it: of two claims of one id exactly one wins), and resolves with its
// result once the transaction committed (durable), or rejects alone with its own error. A failed
// commit rejects every write of the turn.

import type { Database } from './db.ts'
import { failBatch, settleBatch, type Outcome, type Settleable } from './storage/groupCommit.ts'

interface Pending extends Settleable<unknown> {
  write: () => unknown
}

const perDatabase = new WeakMap<Database, SqliteGroupCommit>()

export class SqliteGroupCommit {
  #pending: Pending[] = []
  #transactions = 0
  // Made once: better-sqlite3 builds five wrapper functions per db.transaction() call.
  readonly #savepoint: (write: () => unknown) => unknown
  readonly #commitAll: { immediate: (batch: Pending[]) => Array<Outcome<unknown>> }

  private constructor(db: Database) {
    // Called inside the batch's transaction, a better-sqlite3 transaction is a savepoint.
    this.#savepoint = db.transaction((write: () => unknown) => write())
    this.#commitAll = db.transaction((batch: Pending[]): Array<Outcome<unknown>> =>
      batch.map((p) => {
        try {
          return { value: this.#savepoint(p.write) }
        } catch (error) {
          return { error }
        }
      }),
    )
  }

  /** The one committer of `db`: every store on one database must share it to share the fsync. */
  static of(db: Database): SqliteGroupCommit {
    let commit = perDatabase.get(db)
    if (!commit) perDatabase.set(db, (commit = new SqliteGroupCommit(db)))
    return commit
  }

  /** Runs `write` in this turn's transaction; resolves with its result once committed. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ write, resolve: resolve as (value: unknown) => void, reject })
      if (this.#pending.length === 1) setImmediate(() => this.flush())
    })
  }

  /** Durable transactions written so far (one per turn with writes). */
  get transactions(): number {
    return this.#transactions
  }

  /** Commits what is waiting now (at the end of the turn, or before the database closes). */
  flush(): void {
    const batch = this.#pending
    if (batch.length === 0) return
    this.#pending = []
    let outcomes: Array<Outcome<unknown>>
    try {
      outcomes = this.#commitAll.immediate(batch)
      this.#transactions++
    } catch (error) {
      failBatch(batch, error)
      return
    }
    settleBatch(batch, outcomes)
  }
}
