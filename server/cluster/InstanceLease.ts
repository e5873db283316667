// This instance's lease in Postgres: a row in `instances` whose `alive_until` it pushes forward
// every lease/3 with the database clock (never this machine's: instances' clocks disagree, the
// database's is the one they share). Another instance may take a room over only from an owner
// whose lease has run out (PostgresStorage.load); the room's epoch then fences the old owner.
//
// If a heartbeat finds the lease already lapsed (the process was paused, or the database was out
// of reach for longer than the lease), other instances may have taken any of this instance's
// rooms: `onLost` handlers drop them all, and the next use of each loads it again.

import type { Logger } from 'pino'
import { migratePg, type PgDatabase } from '../pg/PgDatabase.ts'

const SCHEMA = `
CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,                 -- where other instances reach this one ('' until it listens)
  alive_until TIMESTAMPTZ NOT NULL   -- database clock; past it, this instance's rooms may be taken
);
`

export const DEFAULT_LEASE_MS = 5000

export interface InstanceLeaseOptions {
  db: PgDatabase
  instanceId: string
  /** How long a heartbeat keeps this instance alive (default 5000 ms); it beats every third of it. */
  leaseMs?: number
  /** The URL other instances reach this one at (may be set later with advertise()). */
  url?: string
  logger?: Logger
}

export class InstanceLease {
  readonly instanceId: string
  readonly leaseMs: number
  readonly #db: PgDatabase
  readonly #logger?: Logger
  #url: string
  #timer: NodeJS.Timeout | null = null
  #beating: Promise<void> | null = null
  #stopped = false
  readonly #lost = new Set<() => void>()

  private constructor(opts: InstanceLeaseOptions) {
    this.#db = opts.db
    this.instanceId = opts.instanceId
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS
    this.#url = opts.url ?? ''
    this.#logger = opts.logger
    if (!Number.isSafeInteger(this.leaseMs) || this.leaseMs < 30 || this.leaseMs > 600_000) {
      throw new RangeError(`cluster.leaseMs must be an integer from 30 to 600000 ms, got ${opts.leaseMs}`)
    }
  }

  /** Creates the table if needed, writes the first heartbeat and keeps beating until stop(). */
  static async start(opts: InstanceLeaseOptions): Promise<InstanceLease> {
    const lease = new InstanceLease(opts)
    await migratePg(opts.db, 'pg/cluster/1-instances', SCHEMA)
    await lease.#beat()
    lease.#schedule()
    return lease
  }

  get url(): string {
    return this.#url
  }

  /** Publishes the URL other instances reach this one at (known once the server listens). */
  async advertise(url: string): Promise<void> {
    this.#url = url
    await this.#beat()
  }

  /** `fn` runs when a heartbeat finds the lease had already lapsed. */
  onLost(fn: () => void): void {
    this.#lost.add(fn)
  }

  /** Stops heartbeating (the lease then lapses on its own); the row stays. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#beating?.catch(() => {})
  }

  /** Stops heartbeating and ends the lease now, so rooms this instance still owns can be taken at once. */
  async close(): Promise<void> {
    await this.stop()
    await this.#db.query('DELETE FROM instances WHERE id = $1', [this.instanceId])
  }

  #schedule(): void {
    if (this.#stopped) return
    this.#timer = setTimeout(
      () => {
        this.#beat().then(
          () => this.#schedule(),
          (err: unknown) => {
            // The database is out of reach: keep trying; if it stays so past the lease, other
            // instances take the rooms and the next heartbeat that gets through finds the lease lost.
            this.#logger?.warn({ err, instance: this.instanceId }, 'instance heartbeat failed; retrying')
            this.#schedule()
          },
        )
      },
      Math.floor(this.leaseMs / 3),
    )
    this.#timer.unref()
  }

  /** One heartbeat; tells the onLost handlers if the lease had lapsed before it. */
  #beat(): Promise<void> {
    const run = async (): Promise<void> => {
      // `previous` reads the row as it was before this statement (a CTE sees the statement's snapshot).
      const res = await this.#db.query<{ lapsed: boolean | null }>(
        `WITH previous AS (SELECT alive_until FROM instances WHERE id = $1)
         INSERT INTO instances (id, url, alive_until) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, alive_until = EXCLUDED.alive_until
         RETURNING (SELECT alive_until < now() FROM previous) AS lapsed`,
        [this.instanceId, this.#url, this.leaseMs],
      )
      if (res.rows[0]?.lapsed) {
        this.#logger?.warn({ instance: this.instanceId, leaseMs: this.leaseMs }, 'instance lease had lapsed: dropping every room it served')
        for (const fn of this.#lost) fn()
      }
    }
    const beating = (this.#beating ?? Promise.resolve()).catch(() => {}).then(run)
    this.#beating = beating
    return beating
  }
}
