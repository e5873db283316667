// The registry shared by every instance on one Postgres: a replicated state machine over an
// operation log.
//
// Why: the registry is read on every socket and request, synchronously (authenticate, roleOf,
// visibility, colorOf, isSubmitted), and written rarely. A round trip to Postgres per read would
// make every read async and slow; a cache would need its own invalidation rules. Instead
// Postgres holds only the ordered log `registry_ops`, and each instance replays it into a local
// replica — the SQLite RegistryState on an in-memory database — so reads stay synchronous and
// local, and every rule (validation, keep an owner, colours, unique tokens) stays written once.
//
// A write: catch up to the log head, try the op on the replica and roll it back (a refused op
// throws the same RegistryError as on SQLite and logs nothing), then insert it at head + 1. The
// primary key decides between instances writing at once: a unique violation means another
// instance wrote first, so catch up and try again (bounded). Only after the insert committed is
// the op applied to the replica for real — reads never see a write that might not commit.
// The insert NOTIFYs `registry` with the new seq; every instance catches up on it, when its
// listening connection comes back, and when an auth path misses (refresh()).

import type { Logger } from 'pino'
import { openDatabase, type Database } from '../db.ts'
import { DomainError } from '../errors.ts'
import { migratePg, type PgDatabase } from '../pg/PgDatabase.ts'
import type { Notifications } from '../pg/Notifications.ts'
import { Registry } from './Registry.ts'
import { RegistryState } from './RegistryState.ts'
import type { RegistryOp, ResultOf } from './ops.ts'

export const REGISTRY_CHANNEL = 'registry'

const REGISTRY_OPS = `
CREATE TABLE registry_ops (
  seq BIGINT PRIMARY KEY,              -- dense: each op is written at the head its writer had replayed, + 1
  op JSONB NOT NULL,                   -- server/registry/ops.ts; token hashes only, never tokens
  instance TEXT NOT NULL,              -- which instance wrote it (logs, debugging)
  at TIMESTAMPTZ NOT NULL DEFAULT now()
);`

/** Attempts before a write gives up to contention (each lost attempt means another instance's op landed). */
const MAX_ATTEMPTS = 50
/** Ops read per catch-up query. */
const PAGE = 500

export interface PostgresRegistryOptions {
  db: PgDatabase
  notifications: Notifications
  /** Names this instance in the ops it writes. */
  instanceId: string
  logger?: Logger
}

export class PostgresRegistry extends Registry {
  readonly #db: PgDatabase
  readonly #replica: Database
  readonly #instanceId: string
  readonly #logger?: Logger
  /** Last op of the log applied to the replica. */
  #seq = 0
  /** Writes and catch-ups run one at a time: both move the replica. */
  #queue: Promise<unknown> = Promise.resolve()
  #refreshing: Promise<boolean> | null = null
  #closed = false

  private constructor(replica: Database, opts: PostgresRegistryOptions) {
    super(new RegistryState(replica))
    this.#replica = replica
    this.#db = opts.db
    this.#instanceId = opts.instanceId
    this.#logger = opts.logger
  }

  /** Creates the log table if needed, listens for other instances' ops, and replays the log. */
  static async open(opts: PostgresRegistryOptions): Promise<PostgresRegistry> {
    await migratePg(opts.db, 'pg/registry/1-op-log', REGISTRY_OPS)
    const registry = new PostgresRegistry(openDatabase(':memory:'), opts)
    // Listen first, then replay: an op committed in between is both replayed and notified (harmless).
    await opts.notifications.listen(REGISTRY_CHANNEL, (payload) => registry.#notified(payload))
    opts.notifications.onReconnected(() => void registry.refresh())
    await registry.refresh()
    return registry
  }

  /** The last op applied here (tests and metrics: replicas at the same seq hold the same state). */
  get seq(): number {
    return this.#seq
  }

  refresh(): Promise<boolean> {
    // Callers arriving before the queued catch-up starts share it; later ones queue another
    // (it may need an op committed after this one's query).
    return (this.#refreshing ??= this.#exclusive(() => {
      this.#refreshing = null
      return this.#catchUp()
    }))
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#queue.catch(() => {})
    this.#replica.close()
  }

  protected commit<O extends RegistryOp>(op: O): Promise<ResultOf<O>> {
    return this.#exclusive(async () => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        await this.#catchUp()
        // Refused here means refused: the replica is at the head.
        const trial = this.state.trial(op)
        if (!trial.wrote) return trial.result
        const seq = this.#seq + 1
        if (!(await this.#append(seq, op))) continue
        const { result, changes } = this.state.apply(op)
        this.#seq = seq
        this.announce(changes)
        return result
      }
      throw new DomainError('unavailable', 'registry_contended', `the registry change was outrun by other instances ${MAX_ATTEMPTS} times; retry it`)
    })
  }

  /** Inserts `op` at `seq`; false when another instance took that seq first. */
  async #append(seq: number, op: RegistryOp): Promise<boolean> {
    try {
      // One statement, one transaction: the notification is sent when the op commits.
      await this.#db.query(
        `WITH ins AS (INSERT INTO registry_ops (seq, op, instance) VALUES ($1, $2, $3) RETURNING seq)
         SELECT pg_notify('${REGISTRY_CHANNEL}', seq::text) FROM ins`,
        [seq, JSON.stringify(op), this.#instanceId],
      )
      return true
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return false
      throw unavailable(err)
    }
  }

  /** Applies every op after #seq, in order, announcing what each changed. Resolves whether any was applied. */
  async #catchUp(): Promise<boolean> {
    let applied = false
    for (;;) {
      if (this.#closed) return applied
      let rows: Array<{ seq: number; op: RegistryOp }>
      try {
        rows = (await this.#db.query<{ seq: number; op: RegistryOp }>('SELECT seq, op FROM registry_ops WHERE seq > $1 ORDER BY seq LIMIT $2', [this.#seq, PAGE])).rows
      } catch (err) {
        throw unavailable(err)
      }
      for (const row of rows) {
        try {
          this.announce(this.state.apply(row.op).changes)
        } catch (err) {
          // Every replica refuses the same op at the same state, so they stay identical; only a
          // newer version's op or a bug gets here.
          this.#logger?.error({ err, seq: row.seq, op: row.op.t }, 'registry op from the log could not be applied; skipped')
        }
        this.#seq = row.seq
        applied = true
      }
      if (rows.length < PAGE) return applied
    }
  }

  #notified(payload: string): void {
    const seq = Number(payload)
    if (this.#closed || !(seq > this.#seq)) return
    this.refresh().catch((err: unknown) => this.#logger?.warn({ err }, 'registry catch-up after a notification failed; the next one retries'))
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => {})
    return run
  }
}

function unavailable(err: unknown): DomainError {
  const reason = err instanceof Error ? err.message : String(err)
  return new DomainError('unavailable', 'registry_unavailable', `the registry's database did not answer (${reason}); retry shortly`)
}
