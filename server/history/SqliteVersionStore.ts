// VersionStore in the server's SQLite database (server/db.ts): one row per version.

import type { Statement } from 'better-sqlite3'
import { migrate, type Database } from '../db.ts'
import { SqliteGroupCommit } from '../sqliteGroupCommit.ts'
import type { NewVersion, Version, VersionMeta, VersionReason, VersionStore } from './VersionStore.ts'

/** Versions kept per room: the oldest go first (a version is ~100 bytes per active client). */
export const DEFAULT_MAX_VERSIONS_PER_ROOM = 1000

const SCHEMA = `
CREATE TABLE history_versions (
  room TEXT NOT NULL,
  n INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  principal TEXT NOT NULL,
  reason TEXT NOT NULL,
  label TEXT,
  docs TEXT NOT NULL,
  snapshot BLOB NOT NULL,
  PRIMARY KEY (room, n)
) WITHOUT ROWID;
`

interface Row {
  room: string
  n: number
  seq: number
  at: number
  principal: string
  reason: string
  label: string | null
  docs: string
  snapshot?: Buffer
  bytes: number
}

const META = 'room, n, seq, at, principal, reason, label, docs, length(snapshot) AS bytes'

export class SqliteVersionStore implements VersionStore {
  readonly #maxPerRoom: number
  readonly #commit: SqliteGroupCommit
  readonly #lastN: Statement<[string], { n: number | null }>
  readonly #insert: Statement<[string, number, number, number, string, string, string | null, string, Buffer]>
  readonly #dropOlder: Statement<[string, number]>

  constructor(
    private readonly db: Database,
    { maxPerRoom = DEFAULT_MAX_VERSIONS_PER_ROOM }: { maxPerRoom?: number } = {},
  ) {
    migrate(db, 'history/1-versions', SCHEMA)
    this.#maxPerRoom = Math.max(1, maxPerRoom)
    this.#commit = SqliteGroupCommit.of(db)
    this.#lastN = db.prepare('SELECT max(n) AS n FROM history_versions WHERE room = ?')
    this.#insert = db.prepare('INSERT INTO history_versions (room, n, seq, at, principal, reason, label, docs, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    this.#dropOlder = db.prepare('DELETE FROM history_versions WHERE room = ? AND n <= ?')
  }

  async add(v: NewVersion): Promise<VersionMeta> {
    // In the turn's write transaction (server/sqliteGroupCommit.ts): the rooms a burst of
    // disconnects unloads each take a version, one fsync each before.
    const n = await this.#commit.run((): number => {
      const n = (this.#lastN.get(v.room)?.n ?? 0) + 1
      this.#insert.run(v.room, n, v.seq, v.at, v.principal, v.reason, v.label, JSON.stringify(v.docs), Buffer.from(v.snapshot))
      this.#dropOlder.run(v.room, n - this.#maxPerRoom)
      return n
    })
    const { snapshot, ...meta } = v
    return { ...meta, n, bytes: snapshot.length }
  }

  async list(room: string, { doc, limit = 100 }: { doc?: string; limit?: number } = {}): Promise<VersionMeta[]> {
    const rows =
      doc === undefined
        ? (this.db.prepare(`SELECT ${META} FROM history_versions WHERE room = ? ORDER BY n DESC LIMIT ?`).all(room, limit) as Row[])
        : (this.db
            .prepare(`SELECT ${META} FROM history_versions WHERE room = ? AND EXISTS (SELECT 1 FROM json_each(docs) WHERE value = ?) ORDER BY n DESC LIMIT ?`)
            .all(room, doc, limit) as Row[])
    return rows.map(toMeta)
  }

  async get(room: string, n: number): Promise<Version | null> {
    const row = this.db.prepare(`SELECT ${META}, snapshot FROM history_versions WHERE room = ? AND n = ?`).get(room, n) as Row | undefined
    return row ? toVersion(row) : null
  }

  async latest(room: string): Promise<Version | null> {
    const row = this.db.prepare(`SELECT ${META}, snapshot FROM history_versions WHERE room = ? ORDER BY n DESC LIMIT 1`).get(room) as Row | undefined
    return row ? toVersion(row) : null
  }

  async all(room: string): Promise<Version[]> {
    const rows = this.db.prepare(`SELECT ${META}, snapshot FROM history_versions WHERE room = ? ORDER BY n`).all(room) as Row[]
    return rows.map(toVersion)
  }
}

function toMeta(row: Row): VersionMeta {
  return {
    room: row.room,
    n: row.n,
    seq: row.seq,
    at: row.at,
    principal: row.principal,
    reason: row.reason as VersionReason,
    label: row.label,
    docs: JSON.parse(row.docs) as string[],
    bytes: row.bytes,
  }
}

function toVersion(row: Row): Version {
  return { ...toMeta(row), snapshot: new Uint8Array(row.snapshot ?? Buffer.alloc(0)) }
}
