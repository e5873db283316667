// The durable conflict log (SQLite). One row per collision, keyed by its deterministic id: a
// conflict detected again (another arrival order) is stored once, and a party joining an open
// collision updates its row.

import type { Database, Statement } from 'better-sqlite3'
import { migrate } from '../db.ts'
import { DomainError } from '../errors.ts'
import { documentOfLocation } from '../../shared/documents.ts'
import {
  canonicalJson,
  groupConflictId,
  ConflictRecordSchema,
  PROPOSAL_LIMITS,
  type ConflictRecord,
  type ConflictResolution,
  type ResolutionProposal,
} from '../../shared/conflicts/index.ts'
import { PAGE_DEFAULT, PAGE_MAX } from '../../shared/api/schemas.ts'

const SCHEMA = `
CREATE TABLE conflicts (
  id TEXT PRIMARY KEY,
  workspace TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  detected_at INTEGER NOT NULL,
  record TEXT NOT NULL           -- the ConflictRecord as JSON, resolution included
);
CREATE INDEX conflicts_by_workspace ON conflicts (workspace, detected_at);
`

/** How many follow-up records one collision may open after its records were resolved. */
const MAX_FOLLOW_UPS = 20

export type StatusFilter = 'open' | 'resolved' | 'decided' | 'all'

export interface Page {
  conflicts: ConflictRecord[]
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null
}

export class ConflictLog {
  #insert: Statement<[string, string, string, string, number, string]>
  #update: Statement<[string, string]>
  #page: Statement<[string, string, string, number, number, string, number]>
  #get: Statement<[string]>
  #resolve: Statement<[string, string, string]>

  constructor(private readonly db: Database) {
    migrate(db, 'conflicts/1-init', SCHEMA)
    this.#insert = db.prepare('INSERT OR IGNORE INTO conflicts (id, workspace, kind, status, detected_at, record) VALUES (?, ?, ?, ?, ?, ?)')
    this.#update = db.prepare("UPDATE conflicts SET record = ? WHERE id = ? AND status = 'open'")
    this.#page = db.prepare(
      `SELECT detected_at, id, record FROM conflicts
       WHERE workspace = ? AND (? = 'all' OR status = ?) AND (detected_at > ? OR (detected_at = ? AND id > ?))
       ORDER BY detected_at, id LIMIT ?`,
    )
    this.#get = db.prepare('SELECT record FROM conflicts WHERE id = ?')
    this.#resolve = db.prepare("UPDATE conflicts SET status = 'resolved', record = ? WHERE id = ? AND status = 'open' AND ? IS NOT NULL")
  }

  /**
   * Stores new records and updates open ones a party joined (or whose values changed); returns
   * what changed. A resolved or decided record is never reopened.
   */
  add(workspace: string, records: ConflictRecord[]): ConflictRecord[] {
    const changed: ConflictRecord[] = []
    this.db.transaction(() => {
      for (const r of records) {
        const stored = this.#store(workspace, r)
        if (stored) changed.push(stored)
      }
    })()
    return changed
  }

  /**
   * Inserts `r`, or updates its open record. A party joining a collision whose record was resolved
   * (or decided) already opens a follow-up record (id derived from the first, so still
   * deterministic) instead of being lost; follow-ups chain at most MAX_FOLLOW_UPS deep.
   */
  #store(workspace: string, r: ConflictRecord): ConflictRecord | null {
    let record = r
    for (let generation = 1; generation <= MAX_FOLLOW_UPS; generation++) {
      const res = this.#insert.run(record.id, workspace, record.kind, record.status, record.detectedAt, JSON.stringify(record))
      if (res.changes === 1) return record
      const current = this.get(record.id)
      if (!current) return null
      if (current.status === 'open') {
        if (canonicalJson([current.kind, current.location, current.parties]) === canonicalJson([record.kind, record.location, record.parties])) return null
        // Proposals stay: each names the party (or value) it keeps, which a newcomer does not change.
        const updated: ConflictRecord = { ...record, detectedAt: current.detectedAt, updatedAt: record.detectedAt, ...(current.proposals ? { proposals: current.proposals } : {}) }
        this.#update.run(JSON.stringify(updated), record.id)
        return updated
      }
      const newcomers = record.parties.filter((p) => !current.parties.some((q) => q.principal === p.principal))
      if (newcomers.length === 0) return null
      record = { ...record, id: groupConflictId(record.kind, record.doc, { followsUp: r.id, generation }) }
    }
    return null
  }

  /** One page, oldest first; filter by status and document (a `doc` filter may return short pages). */
  page(workspace: string, opts: { status?: StatusFilter; doc?: string; limit?: number; cursor?: string | null } = {}): Page {
    const limit = Math.min(Math.max(1, opts.limit ?? PAGE_DEFAULT), PAGE_MAX)
    const status = opts.status ?? 'all'
    const after = decodeCursor(opts.cursor ?? null)
    const rows = this.#page.all(workspace, status, status, after.at, after.at, after.id, limit) as Array<{ detected_at: number; id: string; record: string }>
    const conflicts = rows.map((r) => parse(r.record)).filter((r) => !opts.doc || documentOfLocation(r.location) === opts.doc)
    const last = rows.at(-1)
    return { conflicts, next: rows.length === limit && last ? encodeCursor(last.detected_at, last.id) : null }
  }

  /** Every record (tests and small workspaces); the API pages with page(). */
  list(workspace: string, opts: { status?: StatusFilter; doc?: string } = {}): ConflictRecord[] {
    const out: ConflictRecord[] = []
    let cursor: string | null = null
    do {
      const page: Page = this.page(workspace, { ...opts, limit: PAGE_MAX, cursor })
      out.push(...page.conflicts)
      cursor = page.next
    } while (cursor !== null)
    return out
  }

  get(id: string): ConflictRecord | null {
    const row = this.#get.get(id) as { record: string } | undefined
    return row ? parse(row.record) : null
  }

  /**
   * Stores `proposal` with an open record, replacing the proposer's earlier one. 'full' when
   * PROPOSAL_LIMITS.perConflict other proposers have one already; 'not_open' when resolved or decided.
   */
  propose(id: string, proposal: ResolutionProposal): ConflictRecord | 'not_found' | 'not_open' | 'full' {
    return this.db.transaction((): ConflictRecord | 'not_found' | 'not_open' | 'full' => {
      const current = this.get(id)
      if (!current) return 'not_found'
      if (current.status !== 'open') return 'not_open'
      const others = (current.proposals ?? []).filter((p) => p.by !== proposal.by)
      if (others.length >= PROPOSAL_LIMITS.perConflict) return 'full'
      const updated: ConflictRecord = { ...current, proposals: [...others, proposal] }
      this.#update.run(JSON.stringify(updated), id)
      return updated
    })()
  }

  /** Marks an open record resolved; returns null if it was resolved already (or is unknown). */
  resolve(id: string, resolution: ConflictResolution): ConflictRecord | null {
    const current = this.get(id)
    if (!current || current.status !== 'open') return null
    const updated: ConflictRecord = { ...current, status: 'resolved', resolution }
    const res = this.#resolve.run(JSON.stringify(updated), id, id)
    return res.changes === 1 ? updated : null
  }
}

/** A page cursor this server did not hand out (400). */
export class CursorError extends DomainError {
  constructor(message: string) {
    super('invalid', 'invalid_request', message)
  }
}

function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url')
}

function decodeCursor(cursor: string | null): { at: number; id: string } {
  if (cursor === null) return { at: -Infinity, id: '' }
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown]
    if (typeof at === 'number' && typeof id === 'string') return { at, id }
  } catch {
    // reported below
  }
  throw new CursorError('cursor is not one this server returned; pass the `next` value of the previous page')
}

function parse(json: string): ConflictRecord {
  return ConflictRecordSchema.parse(JSON.parse(json))
}
