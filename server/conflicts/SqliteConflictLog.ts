// The conflict log in the server's SQLite database (one instance: nothing else changes it).

import type { Database, Statement } from 'better-sqlite3'
import { migrate } from '../db.ts'
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
  id TEXT PRIMARY KEY,
  workspace TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  detected_at INTEGER NOT NULL,
  record TEXT NOT NULL           -- the ConflictRecord as JSON, resolution included
);
CREATE INDEX conflicts_by_workspace ON conflicts (workspace, detected_at);
`

export class SqliteConflictLog implements ConflictLog {
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

  async add(workspace: string, records: ConflictRecord[]): Promise<ConflictRecord[]> {
    const changed: ConflictRecord[] = []
    this.db.transaction(() => {
      for (const r of records) {
        const stored = this.#store(workspace, r)
        if (stored) changed.push(stored)
      }
    })()
    return changed
  }

  #store(workspace: string, r: ConflictRecord): ConflictRecord | null {
    let record = r
    for (let generation = 1; generation <= MAX_FOLLOW_UPS; generation++) {
      const res = this.#insert.run(record.id, workspace, record.kind, record.status, record.detectedAt, JSON.stringify(record))
      if (res.changes === 1) return record
      const current = this.#read(record.id)
      if (!current) return null
      const step = nextStep(current, record, r, generation)
      if (step.kind === 'unchanged') return null
      if (step.kind === 'update') {
        this.#update.run(JSON.stringify(step.record), record.id)
        return step.record
      }
      record = step.record
    }
    return null
  }

  async page(workspace: string, opts: PageOptions = {}): Promise<Page> {
    const limit = pageLimit(opts.limit)
    const status = opts.status ?? 'all'
    const after = decodeCursor(opts.cursor ?? null) ?? { at: -Infinity, id: '' }
    const rows = this.#page.all(workspace, status, status, after.at, after.at, after.id, limit) as Array<{ detected_at: number; id: string; record: string }>
    const conflicts = rows.map((r) => parseRecord(r.record)).filter((r) => !opts.doc || documentOfLocation(r.location) === opts.doc)
    const last = rows.at(-1)
    return { conflicts, next: rows.length === limit && last ? encodeCursor(last.detected_at, last.id) : null }
  }

  async get(id: string): Promise<ConflictRecord | null> {
    return this.#read(id)
  }

  #read(id: string): ConflictRecord | null {
    const row = this.#get.get(id) as { record: string } | undefined
    return row ? parseRecord(row.record) : null
  }

  async propose(id: string, proposal: ResolutionProposal): Promise<ProposeResult> {
    return this.db.transaction((): ProposeResult => {
      const current = this.#read(id)
      if (!current) return 'not_found'
      const updated = withProposal(current, proposal)
      if (typeof updated === 'string') return updated
      this.#update.run(JSON.stringify(updated), id)
      return updated
    })()
  }

  async resolve(id: string, resolution: ConflictResolution): Promise<ConflictRecord | null> {
    const current = this.#read(id)
    if (!current || current.status !== 'open') return null
    const updated: ConflictRecord = { ...current, status: 'resolved', resolution }
    const res = this.#resolve.run(JSON.stringify(updated), id, id)
    return res.changes === 1 ? updated : null
  }

  onChanged(): void {
    // One instance owns this database: no other writer to hear from.
  }
}
