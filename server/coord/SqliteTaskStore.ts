// The task store (port: TaskStore.ts) on the server's SQLite database.
//
// Every operation is one IMMEDIATE transaction (better-sqlite3 is synchronous, so nothing
// interleaves inside it): read the row, return an expired lease to the pool, apply the pure
// policy from shared/coord/lease.ts, write the row and its claim-log entries. That is what
// makes claims linearizable and fencing tokens strictly increasing per task.
// Log entries are handed to `onEvents` after the commit (metrics, doc reflection, races).

import type { Statement } from 'better-sqlite3'
import { migrate, type Database } from '../db.ts'
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
  type TtlLimits,
} from '../../shared/coord/index.ts'
import { ACTIVITY_UPSERT_SQLITE, COORD_MIGRATIONS, TASK_FLOW_SQL } from './schema.ts'
import { claimFactsOf, claimIncrements, isCountedEvent, taskFlowEventsOf, type ActivityRow, type TaskFlowRow } from './activity.ts'
import { CoordError } from './errors.ts'
import { leaseState, logRow, normalizeNewTask, sameTaskFields, toLease, toLogEntry, toTask, type LogFn, type LogRow, type TaskRow } from './rows.ts'
import type { ClaimLogQuery, ClaimResult, EntriesHandler, FencedResult, ImportedTask, NewTask, TaskStore } from './TaskStore.ts'

export interface TaskStoreOptions {
  /** Injectable clock (ms since epoch) so expiry can be tested without waiting. */
  now?: () => number
  ttl?: Partial<TtlLimits>
  onEvents?: (entries: ClaimLogEntry[]) => void
}

type Log = LogFn

export class SqliteTaskStore implements TaskStore {
  readonly ttl: TtlLimits
  #db: Database
  #now: () => number
  #handlers = new Set<EntriesHandler>()

  constructor(db: Database, opts: TaskStoreOptions = {}) {
    for (const [name, sql] of COORD_MIGRATIONS) migrate(db, name, sql)
    this.#db = db
    this.#now = opts.now ?? Date.now
    this.ttl = { ...DEFAULT_TTL_LIMITS, ...opts.ttl }
    if (opts.onEvents) this.#handlers.add(opts.onEvents)
  }

  /** Creates a task; creating the same task again (same fields) is a no-op (idempotent retries). */
  async create(workspace: string, input: NewTask, by: string): Promise<{ task: Task; created: boolean }> {
    const t = normalizeNewTask(input)
    return this.#tx((now, log) => {
      const existing = this.#row(workspace, t.id)
      if (existing) {
        if (!sameTaskFields(existing, t)) throw new CoordError('exists', `task ${t.id} already exists with different fields`)
        return { task: toTask(existing), created: false }
      }
      this.#stmt(
        `INSERT INTO coord_tasks (workspace, id, title, description, depends_on, status, fencing_token, created_by, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'open', 0, ?, ?, ?)`,
      ).run(workspace, t.id, t.title, t.description, t.dependsOn, by, now, now)
      const row = this.#row(workspace, t.id)!
      log('created', row, by)
      return { task: toTask(row), created: true }
    })
  }

  /**
   * Tasks from a workspace export (server/history/importWorkspace.ts), in one transaction, into a
   * workspace without tasks (false, nothing written, when it has some). Done tasks stay done with
   * their completer and result; claimed ones come back open (a lease does not cross servers).
   * Fencing tokens continue from the exported ones, so a token never repeats for a task id.
   */
  async importTasks(workspace: string, tasks: ImportedTask[], by: string): Promise<boolean> {
    return this.#tx((now, log) => {
      if (this.#stmt('SELECT 1 FROM coord_tasks WHERE workspace = ? LIMIT 1').get(workspace)) return false
      const insert = this.#stmt(
        `INSERT INTO coord_tasks (workspace, id, title, description, depends_on, status, owner, fencing_token, result, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      for (const t of tasks) {
        const done = t.status === 'done'
        insert.run(
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
        )
        log('created', this.#row(workspace, t.id)!, by, { detail: { imported: true } })
      }
      return true
    })
  }

  /** The task, with an expired lease returned to the pool first (expiry is checked on every access). */
  async get(workspace: string, id: string): Promise<Task | null> {
    return this.#tx((now, log) => {
      const row = this.#row(workspace, id)
      return row ? toTask(this.#expireIfDue(row, now, log)) : null
    })
  }

  async list(workspace: string): Promise<Task[]> {
    return this.#tx((now, log) => {
      const rows = this.#stmt('SELECT * FROM coord_tasks WHERE workspace = ? ORDER BY created_at, id').all(workspace) as TaskRow[]
      return rows.map((r) => toTask(this.#expireIfDue(r, now, log)))
    })
  }

  async claim(workspace: string, id: string, principal: string, ttlMs?: number): Promise<ClaimResult> {
    const ttl = clampTtl(ttlMs, this.ttl)
    return this.#tx((now, log): ClaimResult => {
      const row = this.#expireIfDue(this.#required(workspace, id), now, log)
      const deps = JSON.parse(row.depends_on) as string[]
      const decision = decideClaim(leaseState(row), deps, (d) => this.#row(workspace, d)?.status, principal, now, ttl)
      switch (decision.kind) {
        case 'won': {
          this.#stmt(
            `UPDATE coord_tasks SET status = 'claimed', owner = ?, lease_acquired_at = ?, lease_expires_at = ?, lease_ttl_ms = ?,
               fencing_token = ?, updated_at = ? WHERE workspace = ? AND id = ?`,
          ).run(principal, now, decision.expiresAt, ttl, decision.fencingToken, now, workspace, id)
          const won = this.#row(workspace, id)!
          log('won', won, principal, { detail: { ttlMs: ttl, ...(row.status === 'claimed' ? { supersedes: row.fencing_token } : {}) } })
          return { ok: true, lease: toLease(won), task: toTask(won) }
        }
        case 'race':
          log('race', row, principal, { holder: decision.holder, detail: { heldForMs: now - (row.lease_acquired_at ?? now) } })
          return { ok: false, code: 'held', holder: decision.holder, expiresAt: decision.expiresAt, task: toTask(row) }
        case 'blocked':
          log('blocked', row, principal, { fencingToken: null, detail: { unfinished: decision.unfinished } })
          return { ok: false, code: 'blocked', unfinished: decision.unfinished, task: toTask(row) }
        case 'done':
          log('refused_done', row, principal, { fencingToken: null })
          return { ok: false, code: 'done', task: toTask(row) }
      }
    })
  }

  /** Extends a live lease by `ttlMs` (default: the TTL it was claimed with) from now. */
  async renew(workspace: string, id: string, principal: string, fencingToken: number, ttlMs?: number): Promise<FencedResult> {
    return this.#fenced(workspace, id, principal, fencingToken, null, (row, now, log) => {
      const ttl = clampTtl(ttlMs ?? row.lease_ttl_ms ?? undefined, this.ttl)
      this.#stmt('UPDATE coord_tasks SET lease_expires_at = ?, lease_ttl_ms = ?, updated_at = ? WHERE workspace = ? AND id = ?').run(now + ttl, ttl, now, workspace, id)
      const renewed = this.#row(workspace, id)!
      log('renewed', renewed, principal, { detail: { ttlMs: ttl } })
      return renewed
    })
  }

  async release(workspace: string, id: string, principal: string, fencingToken: number): Promise<FencedResult> {
    return this.#fenced(workspace, id, principal, fencingToken, null, (row, now, log) => {
      this.#returnToPool(row, now)
      const released = this.#row(workspace, id)!
      log('released', released, principal, { fencingToken })
      return released
    })
  }

  /** Marks the task done with `result`. Repeating a successful completion returns it again. */
  async complete(workspace: string, id: string, principal: string, fencingToken: number, result: unknown): Promise<FencedResult> {
    const repeated = (row: TaskRow) => isRepeatedCompletion(leaseState(row), principal, fencingToken)
    return this.#fenced(workspace, id, principal, fencingToken, repeated, (row, now, log) => {
      this.#stmt(
        `UPDATE coord_tasks SET status = 'done', lease_acquired_at = NULL, lease_expires_at = NULL, lease_ttl_ms = NULL,
           result = ?, updated_at = ? WHERE workspace = ? AND id = ?`,
      ).run(JSON.stringify(result ?? null), now, workspace, id)
      const done = this.#row(workspace, id)!
      log('completed', done, principal, { fencingToken })
      return done
    })
  }

  /** Returns every expired lease (all workspaces) to the pool; the expiry timer calls this. */
  async expireDue(): Promise<Array<{ workspace: string; id: string }>> {
    return this.#tx((now, log) => {
      const rows = this.#stmt("SELECT * FROM coord_tasks WHERE status = 'claimed' AND lease_expires_at <= ?").all(now) as TaskRow[]
      return rows.map((r) => (this.#expireIfDue(r, now, log), { workspace: r.workspace, id: r.id }))
    })
  }

  async msUntilNextExpiry(): Promise<number | null> {
    const row = this.#stmt("SELECT MIN(lease_expires_at) AS at FROM coord_tasks WHERE status = 'claimed'").get() as { at: number | null }
    return row.at === null ? null : row.at - this.#now()
  }

  onEntries(handler: EntriesHandler): void {
    this.#handlers.add(handler)
  }

  /** The database belongs to the server, which closes it. */
  async close(): Promise<void> {}

  /** Workspaces that have tasks. */
  async workspaces(): Promise<string[]> {
    return (this.#stmt('SELECT DISTINCT workspace FROM coord_tasks').all() as Array<{ workspace: string }>).map((r) => r.workspace)
  }

  /** Claim-log entries of a workspace in [since, until), oldest first; optionally of some events or one task. */
  async claimLog(workspace: string, q: ClaimLogQuery = {}): Promise<ClaimLogEntry[]> {
    // Events go into the SQL (one statement per event count), so the (workspace, event, at) index serves them.
    const events = q.events ? `AND event IN (${q.events.map(() => '?').join(', ')})` : ''
    const rows = this.#stmt(`SELECT * FROM coord_claim_log WHERE workspace = ? AND at >= ? AND at < ? AND (? IS NULL OR task = ?) ${events} ORDER BY seq DESC LIMIT ?`).all(
      workspace,
      q.since ?? 0,
      q.until ?? Number.MAX_SAFE_INTEGER,
      q.taskId ?? null,
      q.taskId ?? null,
      ...(q.events ?? []),
      q.limit ?? -1,
    ) as LogRow[]
    return rows.reverse().map(toLogEntry)
  }

  async claimActivity(workspace: string, plan: ActivityPlan): Promise<ClaimFact[]> {
    const counted = COUNTED_CLAIM_EVENTS.map(() => '?').join(', ')
    // Summed per bucket (each granule lies in one), timed at the bucket's start.
    const stored = this.#stmt(
      `SELECT ? + (start - ?) / ? * ? AS start, principal, field, SUM(n) AS n FROM coord_activity
       WHERE workspace = ? AND granule_ms = ? AND start >= ? AND start < ? AND field IN (${counted}) GROUP BY 1, 2, 3`,
    )
    const bucket = [plan.since, plan.since, plan.bucketMs, plan.bucketMs]
    const facts: ClaimFact[] = []
    for (const { granuleMs, ranges } of plan.granules) {
      for (const [from, to] of ranges) facts.push(...claimFactsOf(stored.all(...bucket, workspace, granuleMs, from, to, ...COUNTED_CLAIM_EVENTS) as ActivityRow[]))
    }
    const raw = this.#stmt('SELECT principal, event, at FROM coord_claim_log WHERE workspace = ? AND at >= ? AND at < ?')
    for (const [from, to] of plan.raw) {
      for (const e of raw.all(workspace, from, to) as Array<{ principal: string; event: ClaimEvent; at: number }>) if (isCountedEvent(e.event)) facts.push(e)
    }
    return facts
  }

  async taskFlowEvents(workspace: string, since: number, until: number): Promise<TaskFlowEvent[]> {
    // SQLite reads $n as a named parameter: an object with keys 1, 2, 3 binds them.
    return taskFlowEventsOf(this.#stmt(TASK_FLOW_SQL).all({ 1: workspace, 2: since, 3: until }) as TaskFlowRow[])
  }

  /** The task row without touching expiry (for reflecting the stored state as it is). */
  async peek(workspace: string, id: string): Promise<Task | null> {
    const row = this.#row(workspace, id)
    return row ? toTask(row) : null
  }

  #fenced(
    workspace: string,
    id: string,
    principal: string,
    fencingToken: number,
    alreadyApplied: ((row: TaskRow) => boolean) | null,
    apply: (row: TaskRow, now: number, log: Log) => TaskRow,
  ): FencedResult {
    return this.#tx((now, log): FencedResult => {
      const found = this.#required(workspace, id)
      if (alreadyApplied?.(found)) return { ok: true, task: toTask(found), lease: null }
      const row = this.#expireIfDue(found, now, log)
      const fence = checkFence(leaseState(row), principal, fencingToken, now)
      if (!fence.ok) {
        log(fence.code, row, principal, { fencingToken, holder: row.owner, detail: { current: row.fencing_token, status: row.status } })
        return { ok: false, code: fence.code, reason: fence.reason, task: toTask(row) }
      }
      const next = apply(row, now, log)
      return { ok: true, task: toTask(next), lease: next.status === 'claimed' ? toLease(next) : null }
    })
  }

  #expireIfDue(row: TaskRow, now: number, log: Log): TaskRow {
    if (!isLeaseExpired(leaseState(row), now)) return row
    this.#returnToPool(row, now)
    log('expired', row, row.owner ?? '', { detail: { expiresAt: row.lease_expires_at } })
    return this.#row(row.workspace, row.id)!
  }

  #returnToPool(row: TaskRow, now: number): void {
    this.#stmt(
      `UPDATE coord_tasks SET status = 'open', owner = NULL, lease_acquired_at = NULL, lease_expires_at = NULL, lease_ttl_ms = NULL,
         updated_at = ? WHERE workspace = ? AND id = ?`,
    ).run(now, row.workspace, row.id)
  }

  #row(workspace: string, id: string): TaskRow | undefined {
    return this.#stmt('SELECT * FROM coord_tasks WHERE workspace = ? AND id = ?').get(workspace, id) as TaskRow | undefined
  }

  #required(workspace: string, id: string): TaskRow {
    const row = this.#row(workspace, id)
    if (!row) throw new CoordError('not_found', `no task ${id} in workspace ${workspace}`)
    return row
  }

  #statements = new Map<string, Statement<unknown[]>>()
  #stmt(sql: string): Statement<unknown[]> {
    let s = this.#statements.get(sql)
    if (!s) this.#statements.set(sql, (s = this.#db.prepare(sql)))
    return s
  }

  /** One IMMEDIATE transaction; its log entries are delivered only once it has committed. */
  #tx<T>(fn: (now: number, log: Log) => T): T {
    const entries: ClaimLogEntry[] = []
    const insert = this.#stmt('INSERT INTO coord_claim_log (workspace, task, principal, event, fencing_token, holder, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    const count = this.#stmt(ACTIVITY_UPSERT_SQLITE)
    const result = this.#db
      .transaction(() => {
        const now = this.#now()
        const log: Log = (event, row, principal, extra) => {
          const r = logRow(event, row, principal, now, extra)
          const info = insert.run(r.workspace, r.task, r.principal, r.event, r.fencing_token, r.holder, r.detail, r.at)
          entries.push(toLogEntry({ seq: Number(info.lastInsertRowid), ...r }))
          for (const c of claimIncrements(r.workspace, r.principal, r.event, r.at)) count.run(c.workspace, c.granuleMs, c.start, c.principal, c.field, c.n)
        }
        return fn(now, log)
      })
      .immediate()
    if (entries.length > 0) for (const handler of this.#handlers) handler(entries)
    return result
  }
}
