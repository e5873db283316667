// Small SQLite writes collected over one event-loop turn and committed in one transaction: with
// `synchronous=FULL` every transaction is an fsync on the event loop, and a burst of new rooms
// or clients (each room's first edit claims its client id and records its detector owner) paid
// one each — 1,000 rooms' first edits waited seconds for them (docs/benchmarks.md). Each add()
// resolves once the transaction holding it has committed (durable), or rejects with its error.

import type { Database } from './db.ts'

export class TurnBatch<T> {
  #pending: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = []

  constructor(
    private readonly db: Database,
    /** Writes the items inside the batch's transaction. */
    private readonly write: (items: T[]) => void,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject })
      if (this.#pending.length === 1) setImmediate(() => this.#commit())
    })
  }

  /** Items added and not committed yet (a reader must count them as taken). */
  *pending(): Iterable<T> {
    for (const p of this.#pending) yield p.item
  }

  #commit(): void {
    const batch = this.#pending
    this.#pending = []
    try {
      this.db.transaction(() => this.write(batch.map((p) => p.item)))()
    } catch (err) {
      for (const p of batch) p.reject(err)
      return
    }
    for (const p of batch) p.resolve()
  }
}
