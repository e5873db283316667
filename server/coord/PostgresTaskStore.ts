// The task store (port: TaskStore.ts) on Postgres, shared by every instance of a deployment.
//
// - Linearizable claims: every operation on a task runs in one transaction that first locks
//   the task row (`SELECT … FOR UPDATE`), then reads the time, then decides with the pure
//   policy (shared/coord/lease.ts) and writes. Whoever waits on the lock re-reads the row the
//   winner committed, so at most one live lease exists and fencing tokens only grow.
// - Time is the database's (`clock_timestamp()`, read after the lock), so instances with
//   skewed clocks agree on when a lease ends.
// - The expiry sweep may run on every instance at once: it locks due rows with
//   `FOR UPDATE SKIP LOCKED` and re-checks each under its lock, so each expiry is done and
//   logged once.
// - Claim-log entries reach every instance: the writing transaction NOTIFYs `claims` with its
//   origin and the entries' seqs (delivered on commit); other instances re-read those rows.

import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { migratePg, type PgClient, type PgDatabase, type PgQueryable } from '../pg/PgDatabase.ts'
import { notify, type Notifications } from '../pg/Notifications.ts'
import {
  DEFAULT_TTL_LIMITS,
  checkFence,
  clampTtl,
  decideClaim,
  isLeaseExpired,
  isRepeatedCompletion,
  COUNTED_CLAIM_EVENTS,
  type ActivityPlan,
  type ClaimEvent,
  type ClaimFact,
  type ClaimLogEntry,
  type Task,
  type TaskFlowEvent,
  type TaskStatus,
  type TtlLimits,
} from '../../shared/coord/index.ts'
import { CoordError } from './errors.ts'
import { claimFactsOf, claimIncrements, isCountedEvent, taskFlowEventsOf, type TaskFlowRow } from './activity.ts'
import { TASK_FLOW_SQL } from './schema.ts'
import { addActivity, migrateActivity, rawRangesJoin, readActivity } from './pgActivity.ts'
import { leaseState, logRow, normalizeNewTask, sameTaskFields, toLease, toLogEntry, toTask, type LogFn, type LogRow, type TaskRow } from './rows.ts'
import type { ClaimLogQuery, ClaimResult, EntriesHandler, FencedResult, ImportedTask, NewTask, TaskStore } from './TaskStore.ts'

export const CLAIMS_CHANNEL = 'claims'

const SCHEMA = `
CREATE TABLE coord_tasks (
  workspace TEXT NOT NULL,
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  depends_on TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'done')),
  owner TEXT,
  lease_acquired_at BIGINT,
  lease_expires_at BIGINT,
  lease_ttl_ms BIGINT,
  fencing_token BIGINT NOT NULL DEFAULT 0,
  result TEXT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (workspace, id)
);
CREATE INDEX coord_tasks_expiry ON coord_tasks (lease_expires_at) WHERE status = 'claimed';

CREATE TABLE coord_claim_log (
  seq BIGSERIAL PRIMARY KEY,
  workspace TEXT NOT NULL,
  task TEXT NOT NULL,
  principal TEXT NOT NULL,
  event TEXT NOT NULL,
  fencing_token BIGINT,
  holder TEXT,
  detail TEXT,
  at BIGINT NOT NULL
);
CREATE INDEX coord_claim_log_ws ON coord_claim_log (workspace, at);
CREATE INDEX coord_claim_log_task ON coord_claim_log (workspace, task, seq);
CREATE INDEX coord_claim_log_event ON coord_claim_log (workspace, event, task, at);
`

/** The database clock in ms since epoch (clock_timestamp(): the moment of the call, not of BEGIN). */
const DB_NOW = `floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint`
/** Due leases one sweep returns to the pool at most; the timer sweeps again right away if more are due. */
const SWEEP_BATCH = 1000
/** Seqs per NOTIFY payload (Postgres caps a payload at 8000 bytes). */
const SEQS_PER_NOTIFY = 400
/** Seqs remembered as delivered, so a catch-up after a reconnect does not deliver them twice. */
const RECENT_SEQS = 10_000

export interface PostgresTaskStoreOptions {
  ttl?: Partial<TtlLimits>
  /** This server's LISTEN connection: entries written by other instances are delivered too. */
  notifications?: Notifications
  /** Added to the database clock; tests step through lease expiry with it. Leave unset in production. */
  clockShiftMs?: () => number
  logger?: Logger
}

type Log = LogFn<Promise<void>>

export class PostgresTaskStore implements TaskStore {
  readonly ttl: TtlLimits
  readonly #db: PgDatabase
  readonly #shift: () => number
  readonly #logger?: Logger
  /** Names this store in NOTIFY payloads, so it skips its own (delivered at commit already). */
  readonly #origin = randomUUID()
  readonly #handlers = new Set<EntriesHandler>()
  readonly #recent = new Set<number>()
  #maxSeq = 0
  /** The last seq written before this store opened: a catch-up never goes below it. */
  #floor = 0
  #inbox: Promise<void> = Promise.resolve()
  #closed = false

  private constructor(db: PgDatabase, opts: PostgresTaskStoreOptions) {
    this.#db = db
    this.ttl = { ...DEFAULT_TTL_LIMITS, ...opts.ttl }
    this.#shift = opts.clockShiftMs ?? (() => 0)
    this.#logger = opts.logger
  }

  /** Migrates the tables (once per database) and starts following other instances' entries. */
  static async open(db: PgDatabase, opts: PostgresTaskStoreOptions = {}): Promise<PostgresTaskStore> {
    await migratePg(db, 'pg/coord/1-tasks', SCHEMA)
    await migrateActivity(db)
    const store = new PostgresTaskStore(db, opts)
    const last = await db.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM coord_claim_log')
    store.#maxSeq = store.#floor = last.rows[0].seq ?? 0
    if (opts.notifications) {
      await opts.notifications.listen(CLAIMS_CHANNEL, (payload) => store.#notified(payload))
      opts.notifications.onReconnected(() => store.#follow(() => store.#catchUp()))
    }
    return store
  }

  onEntries(handler: EntriesHandler): void {
    this.#handlers.add(handler)
  }

  /** Stops delivering entries (the pool and the LISTEN connection belong to the server). */
  async close(): Promise<void> {
    this.#closed = true
    await this.#inbox
  }

  async create(workspace: string, input: NewTask, by: string): Promise<{ task: Task; created: boolean }> {
    const t = normalizeNewTask(input)
    return this.#tx(async (c, log, clock) => {
      const now = await clock()
      const inserted = await c.query<TaskRow>(
        `INSERT INTO coord_tasks (workspace, id, title, description, depends_on, status, fencing_token, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'open', 0, $6, $7, $7) ON CONFLICT (workspace, id) DO NOTHING RETURNING *`,
        [workspace, t.id, t.title, t.description, t.dependsOn, by, now],
      )
      if (inserted.rows[0]) {
        await log('created', inserted.rows[0], by)
        return { task: toTask(inserted.rows[0]), created: true }
      }
      const existing = await this.#row(c, workspace, t.id)
      if (!existing || !sameTaskFields(existing, t)) throw new CoordError('exists', `task ${t.id} already exists with different fields`)
      return { task: toTask(existing), created: false }
    })
  }

  async importTasks(workspace: string, tasks: ImportedTask[], by: string): Promise<boolean> {
    return this.#tx(async (c, log, clock) => {
      // Two imports into one workspace at once: the second waits, then finds tasks.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`coord/import/${workspace}`])
      if ((await c.query('SELECT 1 FROM coord_tasks WHERE workspace = $1 LIMIT 1', [workspace])).rowCount) return false
      const now = await clock()
      for (const t of tasks) {
        const done = t.status === 'done'
        const row = await c.query<TaskRow>(
          `INSERT INTO coord_tasks (workspace, id, title, description, depends_on, status, owner, fencing_token, result, created_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
          [
            workspace,
            t.id,
            t.title,
            t.description,
            JSON.stringify(t.dependsOn),
            done ? 'done' : 'open',
            done ? t.owner : null,
            t.fencingToken,
            done ? JSON.stringify(t.result ?? null) : null,
            t.createdBy,
            t.createdAt,
            now,
          ],
        )
        await log('created', row.rows[0], by, { detail: { imported: true } })
      }
      return true
    })
  }

  async get(workspace: string, id: string): Promise<Task | null> {
    const { rows, now } = await this.#read('SELECT * FROM coord_tasks WHERE workspace = $1 AND id = $2', [workspace, id])
    if (!rows[0]) return null
    if (!isLeaseExpired(leaseState(rows[0]), now)) return toTask(rows[0])
    await this.#expire([rows[0]])
    return this.peek(workspace, id)
  }

  async list(workspace: string): Promise<Task[]> {
    const sql = 'SELECT * FROM coord_tasks WHERE workspace = $1 ORDER BY created_at, id'
    const { rows, now } = await this.#read(sql, [workspace])
    const due = rows.filter((r) => isLeaseExpired(leaseState(r), now))
    if (due.length === 0) return rows.map(toTask)
    await this.#expire(due)
    return (await this.#db.query<TaskRow>(sql, [workspace])).rows.map(toTask)
  }

  async claim(workspace: string, id: string, principal: string, ttlMs?: number): Promise<ClaimResult> {
    const ttl = clampTtl(ttlMs, this.ttl)
    return this.#tx(async (c, log, clock): Promise<ClaimResult> => {
      const locked = await this.#locked(c, workspace, id)
      const now = await clock()
      const row = await this.#expireIfDue(c, locked, now, log)
      const deps = JSON.parse(row.depends_on) as string[]
      const statuses = new Map<string, TaskStatus>()
      if (deps.length > 0) {
        const found = await c.query<{ id: string; status: TaskStatus }>('SELECT id, status FROM coord_tasks WHERE workspace = $1 AND id = ANY($2)', [workspace, deps])
        for (const d of found.rows) statuses.set(d.id, d.status)
      }
      const decision = decideClaim(leaseState(row), deps, (d) => statuses.get(d), principal, now, ttl)
      switch (decision.kind) {
        case 'won': {
          const won = await this.#update(
            c,
            `status = 'claimed', owner = $3, lease_acquired_at = $4, lease_expires_at = $5, lease_ttl_ms = $6, fencing_token = $7, updated_at = $4`,
            [workspace, id, principal, now, decision.expiresAt, ttl, decision.fencingToken],
          )
          await log('won', won, principal, { detail: { ttlMs: ttl, ...(row.status === 'claimed' ? { supersedes: row.fencing_token } : {}) } })
          return { ok: true, lease: toLease(won), task: toTask(won) }
        }
        case 'race':
          await log('race', row, principal, { holder: decision.holder, detail: { heldForMs: now - (row.lease_acquired_at ?? now) } })
          return { ok: false, code: 'held', holder: decision.holder, expiresAt: decision.expiresAt, task: toTask(row) }
        case 'blocked':
          await log('blocked', row, principal, { fencingToken: null, detail: { unfinished: decision.unfinished } })
          return { ok: false, code: 'blocked', unfinished: decision.unfinished, task: toTask(row) }
        case 'done':
          await log('refused_done', row, principal, { fencingToken: null })
          return { ok: false, code: 'done', task: toTask(row) }
      }
    })
  }

  async renew(workspace: string, id: string, principal: string, fencingToken: number, ttlMs?: number): Promise<FencedResult> {
    return this.#fenced(workspace, id, principal, fencingToken, null, async (c, row, now, log) => {
      const ttl = clampTtl(ttlMs ?? row.lease_ttl_ms ?? undefined, this.ttl)
      const renewed = await this.#update(c, 'lease_expires_at = $3, lease_ttl_ms = $4, updated_at = $5', [workspace, id, now + ttl, ttl, now])
      await log('renewed', renewed, principal, { detail: { ttlMs: ttl } })
      return renewed
    })
  }

  async release(workspace: string, id: string, principal: string, fencingToken: number): Promise<FencedResult> {
    return this.#fenced(workspace, id, principal, fencingToken, null, async (c, row, now, log) => {
      const released = await this.#returnToPool(c, row, now)
      await log('released', released, principal, { fencingToken })
      return released
    })
  }

  async complete(workspace: string, id: string, principal: string, fencingToken: number, result: unknown): Promise<FencedResult> {
    const repeated = (row: TaskRow) => isRepeatedCompletion(leaseState(row), principal, fencingToken)
    return this.#fenced(workspace, id, principal, fencingToken, repeated, async (c, _row, now, log) => {
      const done = await this.#update(c, `status = 'done', lease_acquired_at = NULL, lease_expires_at = NULL, lease_ttl_ms = NULL, result = $3, updated_at = $4`, [
        workspace,
        id,
        JSON.stringify(result ?? null),
        now,
      ])
      await log('completed', done, principal, { fencingToken })
      return done
    })
  }

  async expireDue(): Promise<Array<{ workspace: string; id: string }>> {
    return this.#tx(async (c, log, clock) => {
      const now = await clock()
      // SKIP LOCKED: a row another sweeper (or a claim) holds is theirs to expire.
      const due = await c.query<TaskRow>(
        `SELECT * FROM coord_tasks WHERE status = 'claimed' AND lease_expires_at <= $1 ORDER BY lease_expires_at LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED`,
        [now],
      )
      const expired: Array<{ workspace: string; id: string }> = []
      for (const row of due.rows) {
        if (!isLeaseExpired(leaseState(row), now)) continue
        await this.#expireIfDue(c, row, now, log)
        expired.push({ workspace: row.workspace, id: row.id })
      }
      return expired
    })
  }

  async msUntilNextExpiry(): Promise<number | null> {
    const r = await this.#db.query<{ at: number | null; now: number }>(`SELECT MIN(lease_expires_at) AS at, ${DB_NOW} AS now FROM coord_tasks WHERE status = 'claimed'`)
    const { at, now } = r.rows[0]
    return at === null ? null : at - (now + this.#shift())
  }

  async workspaces(): Promise<string[]> {
    return (await this.#db.query<{ workspace: string }>('SELECT DISTINCT workspace FROM coord_tasks')).rows.map((r) => r.workspace)
  }

  async claimLog(workspace: string, q: ClaimLogQuery = {}): Promise<ClaimLogEntry[]> {
    const rows = await this.#db.query<LogRow>(
      `SELECT * FROM coord_claim_log WHERE workspace = $1 AND at >= $2 AND at < $3 AND ($4::text IS NULL OR task = $4)
         AND ($5::text[] IS NULL OR event = ANY($5)) ORDER BY seq DESC LIMIT $6`,
      [workspace, q.since ?? 0, q.until ?? Number.MAX_SAFE_INTEGER, q.taskId ?? null, q.events ?? null, q.limit ?? null],
    )
    return rows.rows.reverse().map(toLogEntry)
  }

  async claimActivity(workspace: string, plan: ActivityPlan): Promise<ClaimFact[]> {
    const facts = claimFactsOf(await readActivity(this.#db, workspace, plan, COUNTED_CLAIM_EVENTS))
    if (plan.raw.length > 0) {
      const raw = await this.#db.query<{ principal: string; event: ClaimEvent; at: number }>(rawRangesJoin('coord_claim_log', 'l.principal, l.event, l.at'), [
        workspace,
        plan.raw.map((x) => x[0]),
        plan.raw.map((x) => x[1]),
      ])
      for (const e of raw.rows) if (isCountedEvent(e.event)) facts.push(e)
    }
    return facts
  }

  async taskFlowEvents(workspace: string, since: number, until: number): Promise<TaskFlowEvent[]> {
    return taskFlowEventsOf((await this.#db.query<TaskFlowRow>(TASK_FLOW_SQL, [workspace, since, until])).rows)
  }

  async peek(workspace: string, id: string): Promise<Task | null> {
    const row = await this.#row(this.#db, workspace, id)
    return row ? toTask(row) : null
  }

  async #fenced(
    workspace: string,
    id: string,
    principal: string,
    fencingToken: number,
    alreadyApplied: ((row: TaskRow) => boolean) | null,
    apply: (c: PgClient, row: TaskRow, now: number, log: Log) => Promise<TaskRow>,
  ): Promise<FencedResult> {
    return this.#tx(async (c, log, clock): Promise<FencedResult> => {
      const found = await this.#locked(c, workspace, id)
      if (alreadyApplied?.(found)) return { ok: true, task: toTask(found), lease: null }
      const now = await clock()
      const row = await this.#expireIfDue(c, found, now, log)
      const fence = checkFence(leaseState(row), principal, fencingToken, now)
      if (!fence.ok) {
        await log(fence.code, row, principal, { fencingToken, holder: row.owner, detail: { current: row.fencing_token, status: row.status } })
        return { ok: false, code: fence.code, reason: fence.reason, task: toTask(row) }
      }
      const next = await apply(c, row, now, log)
      return { ok: true, task: toTask(next), lease: next.status === 'claimed' ? toLease(next) : null }
    })
  }

  /** Expires the given rows, each re-read under its lock (a claim may have renewed it meanwhile). */
  async #expire(rows: TaskRow[]): Promise<void> {
    await this.#tx(async (c, log, clock) => {
      for (const r of rows) {
        const locked = await this.#row(c, r.workspace, r.id, 'FOR UPDATE')
        if (locked) await this.#expireIfDue(c, locked, await clock(), log)
      }
    })
  }

  async #expireIfDue(c: PgClient, row: TaskRow, now: number, log: Log): Promise<TaskRow> {
    if (!isLeaseExpired(leaseState(row), now)) return row
    const open = await this.#returnToPool(c, row, now)
    await log('expired', row, row.owner ?? '', { detail: { expiresAt: row.lease_expires_at } })
    return open
  }

  #returnToPool(c: PgClient, row: TaskRow, now: number): Promise<TaskRow> {
    return this.#update(c, `status = 'open', owner = NULL, lease_acquired_at = NULL, lease_expires_at = NULL, lease_ttl_ms = NULL, updated_at = $3`, [row.workspace, row.id, now])
  }

  /** UPDATE of one task row ($1 workspace, $2 id; `set` uses $3…) returning the new row. */
  async #update(c: PgClient, set: string, params: unknown[]): Promise<TaskRow> {
    const r = await c.query<TaskRow>(`UPDATE coord_tasks SET ${set} WHERE workspace = $1 AND id = $2 RETURNING *`, params)
    return r.rows[0]
  }

  async #row(q: PgQueryable, workspace: string, id: string, lock = ''): Promise<TaskRow | undefined> {
    return (await q.query<TaskRow>(`SELECT * FROM coord_tasks WHERE workspace = $1 AND id = $2 ${lock}`, [workspace, id])).rows[0]
  }

  async #locked(c: PgClient, workspace: string, id: string): Promise<TaskRow> {
    const row = await this.#row(c, workspace, id, 'FOR UPDATE')
    if (!row) throw new CoordError('not_found', `no task ${id} in workspace ${workspace}`)
    return row
  }

  async #now(q: PgQueryable): Promise<number> {
    return (await q.query<{ now: number }>(`SELECT ${DB_NOW} AS now`)).rows[0].now + this.#shift()
  }

  /** Rows and the database time of one read (no lock: used to see whether anything is due). */
  async #read(sql: string, params: unknown[]): Promise<{ rows: TaskRow[]; now: number }> {
    const r = await this.#db.query<TaskRow & { db_now: number }>(sql.replace('SELECT *', `SELECT *, ${DB_NOW} AS db_now`), params)
    const now = (r.rows[0]?.db_now ?? 0) + this.#shift()
    return { rows: r.rows, now }
  }

  /** One transaction; its log entries are announced in it (NOTIFY is sent at commit) and delivered here after commit. */
  async #tx<T>(fn: (c: PgClient, log: Log, now: () => Promise<number>) => Promise<T>): Promise<T> {
    const entries: ClaimLogEntry[] = []
    const result = await this.#db.transaction(async (c) => {
      // One time per transaction, read when first needed (after the row lock was taken).
      let at: number | undefined
      const now = async () => (at ??= await this.#now(c))
      const log: Log = async (event, row, principal, extra) => {
        const at = await now()
        const r = logRow(event, row, principal, at, extra)
        const inserted = await c.query<{ seq: number }>(
          `INSERT INTO coord_claim_log (workspace, task, principal, event, fencing_token, holder, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq`,
          [r.workspace, r.task, r.principal, r.event, r.fencing_token, r.holder, r.detail, r.at],
        )
        entries.push(toLogEntry({ seq: inserted.rows[0].seq, ...r }))
      }
      const value = await fn(c, log, now)
      // Counts last, in one sorted statement: the shared count rows are locked briefly and in one order.
      await addActivity(
        c,
        entries.flatMap((e) => claimIncrements(e.workspace, e.principal, e.event, e.at)),
      )
      for (let i = 0; i < entries.length; i += SEQS_PER_NOTIFY) {
        const seqs = entries.slice(i, i + SEQS_PER_NOTIFY).map((e) => e.seq)
        await notify(c, CLAIMS_CHANNEL, `${this.#origin} ${seqs.join(',')}`)
      }
      return value
    })
    if (entries.length > 0) this.#deliver(entries)
    return result
  }

  #deliver(entries: ClaimLogEntry[]): void {
    const fresh = entries.filter((e) => !this.#recent.has(e.seq))
    if (fresh.length === 0 || this.#closed) return
    for (const e of fresh) {
      this.#recent.add(e.seq)
      this.#maxSeq = Math.max(this.#maxSeq, e.seq)
    }
    // A Set iterates in insertion order: the oldest seqs go first.
    for (const seq of this.#recent) {
      if (this.#recent.size <= RECENT_SEQS) break
      this.#recent.delete(seq)
    }
    for (const handler of this.#handlers) handler(fresh)
  }

  #notified(payload: string): void {
    const [origin, list = ''] = payload.split(' ')
    if (origin === this.#origin || this.#closed) return
    const seqs = list
      .split(',')
      .map(Number)
      .filter((n) => Number.isSafeInteger(n) && n > 0)
    if (seqs.length === 0) return
    this.#follow(async () => {
      const rows = await this.#db.query<LogRow>('SELECT * FROM coord_claim_log WHERE seq = ANY($1) ORDER BY seq', [seqs])
      this.#deliver(rows.rows.map(toLogEntry))
    })
  }

  /** After the listening connection came back: entries written meanwhile were not announced to us. */
  async #catchUp(): Promise<void> {
    const rows = await this.#db.query<LogRow>('SELECT * FROM coord_claim_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
      Math.max(this.#floor, this.#maxSeq - RECENT_SEQS / 2),
      RECENT_SEQS,
    ])
    this.#deliver(rows.rows.map(toLogEntry))
  }

  /** Re-reads run one after another, so entries are handed over in the order they were announced. */
  #follow(read: () => Promise<void>): void {
    this.#inbox = this.#inbox.then(read).catch((err: unknown) => this.#logger?.error({ err }, 'could not read claim-log entries announced by another instance'))
  }
}
