// The durable conflict log (SQLite). Records are upserted by their deterministic id, so a
// conflict detected again (replay after restart, another arrival order) is stored once.

import type { Database, Statement } from 'better-sqlite3'
import { migrate } from '../db.ts'
import { ConflictRecordSchema, type ConflictRecord, type ConflictResolution } from '../../shared/conflicts/index.ts'

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

export type StatusFilter = 'open' | 'resolved' | 'all'

export class ConflictLog {
  #insert: Statement<[string, string, string, string, number, string]>
  #list: Statement<[string]>
  #get: Statement<[string]>
  #resolve: Statement<[string, string, string]>

  constructor(private readonly db: Database) {
    migrate(db, 'conflicts/1-init', SCHEMA)
    this.#insert = db.prepare('INSERT OR IGNORE INTO conflicts (id, workspace, kind, status, detected_at, record) VALUES (?, ?, ?, ?, ?, ?)')
    this.#list = db.prepare('SELECT record FROM conflicts WHERE workspace = ? ORDER BY detected_at, id')
    this.#get = db.prepare('SELECT record FROM conflicts WHERE id = ?')
    this.#resolve = db.prepare("UPDATE conflicts SET status = 'resolved', record = ? WHERE id = ? AND status = 'open' AND ? IS NOT NULL")
  }

  /** Stores new records; returns those that were not already in the log. */
  add(workspace: string, records: ConflictRecord[]): ConflictRecord[] {
    const added: ConflictRecord[] = []
    this.db.transaction(() => {
      for (const r of records) {
        const res = this.#insert.run(r.id, workspace, r.kind, r.status, r.detectedAt, JSON.stringify(r))
        if (res.changes === 1) added.push(r)
      }
    })()
    return added
  }

  list(workspace: string, opts: { status?: StatusFilter; doc?: string } = {}): ConflictRecord[] {
    const rows = this.#list.all(workspace) as Array<{ record: string }>
    return rows
      .map((r) => parse(r.record))
      .filter((r) => (opts.status ?? 'all') === 'all' || r.status === opts.status)
      .filter((r) => !opts.doc || documentOf(r) === opts.doc)
  }

  get(id: string): ConflictRecord | null {
    const row = this.#get.get(id) as { record: string } | undefined
    return row ? parse(row.record) : null
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

function parse(json: string): ConflictRecord {
  return ConflictRecordSchema.parse(JSON.parse(json))
}

/** The shared document (name in Y.Map('docs')) a record is about, if any. */
export function documentOf(r: ConflictRecord): string | null {
  const loc = r.location
  if (loc.kind === 'text') return loc.doc
  if (loc.kind === 'map' && loc.path[0] === 'docs') return loc.path[1] ?? null
  return null
}
