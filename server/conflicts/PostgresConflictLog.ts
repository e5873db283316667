// The conflict log on PostgreSQL, shared by every instance: a record detected on two instances at
// once is stored once (its id is the primary key), a record is changed under a row lock, and
// every change is NOTIFYed on `conflicts` (ids only) so the other instances re-read and announce it.

import { migratePg, type PgClient, type PgDatabase } from '../pg/PgDatabase.ts'
import { notify, type Notifications } from '../pg/Notifications.ts'
import { documentOfLocation } from '../../shared/documents.ts'
import type { ConflictRecord, ConflictResolution, ResolutionProposal } from '../../shared/conflicts/index.ts'
import {
  MAX_FOLLOW_UPS,
  decodeCursor,
  encodeCursor,
  nextStep,
  pageLimit,
  parseRecord,
  withProposal,
  type ConflictLog,
  type Page,
  type PageOptions,
  type ProposeResult,
} from './ConflictLog.ts'

const SCHEMA = `
CREATE TABLE conflicts (
  id TEXT COLLATE "C" PRIMARY KEY,
  workspace TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  detected_at DOUBLE PRECISION NOT NULL,
  record TEXT NOT NULL,          -- the ConflictRecord as JSON, resolution included
  changed_at DOUBLE PRECISION NOT NULL,  -- database clock, ms: what a listener that reconnects re-reads
  changed_by TEXT NOT NULL       -- the instance that wrote it last
);
CREATE INDEX conflicts_by_workspace ON conflicts (workspace, detected_at, id);
CREATE INDEX conflicts_by_change ON conflicts (changed_at);
`

export const CONFLICTS_CHANNEL = 'conflicts'
/** Ids per notification: ~35 bytes each keeps a payload far below Postgres's 8000-byte limit. */
const IDS_PER_NOTIFICATION = 100
/** A transaction that lost a deadlock or serialization race is retried this often. */
const RETRIES = 3

/**
 * After the listening connection comes back, changes from this long before the last one heard are
 * re-read too: a transaction may commit (and notify) after a later one. Writes here are short.
 */
const REREAD_MARGIN_MS = 10_000
/** At most this many records are re-announced after a reconnect (the newest). */
const MAX_REREAD = 1000
/** The database clock in ms, read once per write transaction for its rows and its notification. */
const DB_NOW = 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS at'

interface ChangeNotice {
  from: string
  ids: string[]
  /** changed_at of these rows. */
  at: number
}

export interface PostgresConflictLogOptions {
  /** Names this instance in notifications, so it does not announce its own writes twice. */
  instanceId: string
  /** The server's listening connection; without it this log hears no other instance. */
  notifications?: Notifications
}

export class PostgresConflictLog implements ConflictLog {
  readonly #listeners = new Set<(ids: string[]) => void>()
  /** changed_at of the latest change the listening connection delivered (database clock). */
  #heardUpTo: number

  private constructor(
    private readonly db: PgDatabase,
    private readonly opts: PostgresConflictLogOptions,
    now: number,
  ) {
    this.#heardUpTo = now
  }

  static async open(db: PgDatabase, opts: PostgresConflictLogOptions): Promise<PostgresConflictLog> {
    await migratePg(db, 'pg/conflicts/1-init', SCHEMA)
    const { rows } = await db.query<{ at: number }>(DB_NOW)
    const log = new PostgresConflictLog(db, opts, rows[0].at)
    await opts.notifications?.listen(CONFLICTS_CHANNEL, (payload) => log.#heard(payload))
    opts.notifications?.onReconnected(() => void log.#reread())
    return log
  }

  async add(workspace: string, records: ConflictRecord[]): Promise<ConflictRecord[]> {
    if (records.length === 0) return []
    // Rows are locked in id order: two instances adding overlapping records cannot deadlock.
    const ordered = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return this.#transaction(async (client, at) => {
      const changed: ConflictRecord[] = []
      for (const r of ordered) {
        const stored = await this.#store(client, at, workspace, r)
        if (stored) changed.push(stored)
      }
      await this.#announce(
        client,
        at,
        changed.map((r) => r.id),
      )
      return changed
    })
  }

  async #store(client: PgClient, at: number, workspace: string, r: ConflictRecord): Promise<ConflictRecord | null> {
    let record = r
    for (let generation = 1; generation <= MAX_FOLLOW_UPS; generation++) {
      // ON CONFLICT waits for a concurrent insert of the same id and then does nothing: one row.
      const inserted = await client.query(
        `INSERT INTO conflicts (id, workspace, kind, status, detected_at, record, changed_at, changed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
        [record.id, workspace, record.kind, record.status, record.detectedAt, JSON.stringify(record), at, this.opts.instanceId],
      )
      if (inserted.rowCount === 1) return record
      const current = await this.#locked(client, record.id)
      if (!current) return null
      const step = nextStep(current, record, r, generation)
      if (step.kind === 'unchanged') return null
      if (step.kind === 'update') {
        await this.#update(client, at, record.id, step.record)
        return step.record
      }
      record = step.record
    }
    return null
  }

  async page(workspace: string, opts: PageOptions = {}): Promise<Page> {
    const limit = pageLimit(opts.limit)
    const status = opts.status ?? 'all'
    const after = decodeCursor(opts.cursor ?? null)
    const { rows } = await this.db.query<{ detected_at: number; id: string; record: string }>(
      `SELECT detected_at, id, record FROM conflicts
       WHERE workspace = $1 AND ($2 = 'all' OR status = $2) AND ($3::float8 IS NULL OR (detected_at, id) > ($3::float8, $4::text))
       ORDER BY detected_at, id LIMIT $5`,
      [workspace, status, after?.at ?? null, after?.id ?? '', limit],
    )
    const conflicts = rows.map((r) => parseRecord(r.record)).filter((r) => !opts.doc || documentOfLocation(r.location) === opts.doc)
    const last = rows.at(-1)
    return { conflicts, next: rows.length === limit && last ? encodeCursor(last.detected_at, last.id) : null }
  }

  async get(id: string): Promise<ConflictRecord | null> {
    const { rows } = await this.db.query<{ record: string }>('SELECT record FROM conflicts WHERE id = $1', [id])
    return rows[0] ? parseRecord(rows[0].record) : null
  }

  async propose(id: string, proposal: ResolutionProposal): Promise<ProposeResult> {
    return this.#transaction(async (client, at): Promise<ProposeResult> => {
      const current = await this.#locked(client, id)
      if (!current) return 'not_found'
      const updated = withProposal(current, proposal)
      if (typeof updated === 'string') return updated
      await this.#update(client, at, id, updated)
      await this.#announce(client, at, [id])
      return updated
    })
  }

  async resolve(id: string, resolution: ConflictResolution): Promise<ConflictRecord | null> {
    return this.#transaction(async (client, at) => {
      // The row lock makes concurrent resolutions (on any instance) queue: the first wins.
      const current = await this.#locked(client, id)
      if (!current || current.status !== 'open') return null
      const updated: ConflictRecord = { ...current, status: 'resolved', resolution }
      await this.#update(client, at, id, updated)
      await this.#announce(client, at, [id])
      return updated
    })
  }

  onChanged(listener: (ids: string[]) => void): void {
    this.#listeners.add(listener)
  }

  async #locked(client: PgClient, id: string): Promise<ConflictRecord | null> {
    const { rows } = await client.query<{ record: string }>('SELECT record FROM conflicts WHERE id = $1 FOR UPDATE', [id])
    return rows[0] ? parseRecord(rows[0].record) : null
  }

  /** Writes a changed record (never reopening a resolved one: callers hold its row lock). */
  async #update(client: PgClient, at: number, id: string, record: ConflictRecord): Promise<void> {
    await client.query('UPDATE conflicts SET status = $1, record = $2, changed_at = $3, changed_by = $4 WHERE id = $5', [
      record.status,
      JSON.stringify(record),
      at,
      this.opts.instanceId,
      id,
    ])
  }

  /** NOTIFY inside the transaction: delivered only if it commits. */
  async #announce(client: PgClient, at: number, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += IDS_PER_NOTIFICATION) {
      const notice: ChangeNotice = { from: this.opts.instanceId, ids: ids.slice(i, i + IDS_PER_NOTIFICATION), at }
      await notify(client, CONFLICTS_CHANNEL, JSON.stringify(notice))
    }
  }

  #heard(payload: string): void {
    let notice: ChangeNotice
    try {
      notice = JSON.parse(payload) as ChangeNotice
    } catch {
      return
    }
    if (typeof notice.at === 'number' && notice.at > this.#heardUpTo) this.#heardUpTo = notice.at
    if (notice.from === this.opts.instanceId || !Array.isArray(notice.ids)) return
    this.#tell(notice.ids.filter((id): id is string => typeof id === 'string'))
  }

  /** Notifications sent while the listening connection was down are lost: what changed since is re-read. */
  async #reread(): Promise<void> {
    try {
      const { rows } = await this.db.query<{ id: string; changed_at: number }>(
        `SELECT id, changed_at FROM (
           SELECT id, changed_at FROM conflicts WHERE changed_at > $1 AND changed_by <> $2 ORDER BY changed_at DESC LIMIT $3
         ) AS recent ORDER BY changed_at`,
        [this.#heardUpTo - REREAD_MARGIN_MS, this.opts.instanceId, MAX_REREAD],
      )
      if (rows.length === 0) return
      this.#heardUpTo = Math.max(this.#heardUpTo, rows.at(-1)!.changed_at)
      this.#tell(rows.map((r) => r.id))
    } catch {
      // The next reconnect (or the next notification) brings this instance up to date again.
    }
  }

  #tell(ids: string[]): void {
    if (ids.length === 0) return
    for (const listener of this.#listeners) listener(ids)
  }

  async #transaction<T>(fn: (client: PgClient, at: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (client) => {
          const { rows } = await client.query<{ at: number }>(DB_NOW)
          return fn(client, rows[0].at)
        })
      } catch (err) {
        if (attempt >= RETRIES || !isRetryable(err)) throw err
      }
    }
  }
}

/** A deadlock (40P01) or serialization failure (40001): the transaction can simply run again. */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === '40P01' || code === '40001'
}
