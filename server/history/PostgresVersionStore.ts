// VersionStore on PostgreSQL. Numbers come from a per-room counter row bumped in the same
// transaction as the insert, so two instances taking a version of one room at once (a handover)
// get different numbers, and a number is never reused after the oldest versions are dropped.

import { migratePg, type PgDatabase } from '../pg/PgDatabase.ts'
import { DEFAULT_MAX_VERSIONS_PER_ROOM } from './SqliteVersionStore.ts'
import type { NewVersion, Version, VersionMeta, VersionReason, VersionStore } from './VersionStore.ts'

const SCHEMA = `
CREATE TABLE history_versions (
  room TEXT NOT NULL,
  n INTEGER NOT NULL,
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  principal TEXT NOT NULL,
  reason TEXT NOT NULL,
  label TEXT,
  docs JSONB NOT NULL,
  snapshot BYTEA NOT NULL,
  PRIMARY KEY (room, n)
);
CREATE TABLE history_version_numbers (
  room TEXT PRIMARY KEY,
  n INTEGER NOT NULL
);
`

interface Row {
  room: string
  n: number
  seq: number
  at: number
  principal: string
  reason: string
  label: string | null
  docs: string[]
  snapshot?: Buffer
  bytes: number
}

const META = 'room, n, seq, at, principal, reason, label, docs, octet_length(snapshot) AS bytes'

export class PostgresVersionStore implements VersionStore {
  readonly #maxPerRoom: number

  private constructor(
    private readonly db: PgDatabase,
    maxPerRoom: number,
  ) {
    this.#maxPerRoom = Math.max(1, maxPerRoom)
  }

  static async open(db: PgDatabase, { maxPerRoom = DEFAULT_MAX_VERSIONS_PER_ROOM }: { maxPerRoom?: number } = {}): Promise<PostgresVersionStore> {
    await migratePg(db, 'pg/history/1-versions', SCHEMA)
    return new PostgresVersionStore(db, maxPerRoom)
  }

  async add(v: NewVersion): Promise<VersionMeta> {
    const n = await this.db.transaction(async (client) => {
      const counted = await client.query<{ n: number }>(
        `INSERT INTO history_version_numbers (room, n) VALUES ($1, 1)
         ON CONFLICT (room) DO UPDATE SET n = history_version_numbers.n + 1 RETURNING n`,
        [v.room],
      )
      const next = counted.rows[0].n
      await client.query('INSERT INTO history_versions (room, n, seq, at, principal, reason, label, docs, snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
        v.room,
        next,
        v.seq,
        v.at,
        v.principal,
        v.reason,
        v.label,
        JSON.stringify(v.docs),
        Buffer.from(v.snapshot),
      ])
      await client.query('DELETE FROM history_versions WHERE room = $1 AND n <= $2', [v.room, next - this.#maxPerRoom])
      return next
    })
    const { snapshot, ...meta } = v
    return { ...meta, n, bytes: snapshot.length }
  }

  async list(room: string, { doc, limit = 100 }: { doc?: string; limit?: number } = {}): Promise<VersionMeta[]> {
    const { rows } =
      doc === undefined
        ? await this.db.query<Row>(`SELECT ${META} FROM history_versions WHERE room = $1 ORDER BY n DESC LIMIT $2`, [room, limit])
        : await this.db.query<Row>(`SELECT ${META} FROM history_versions WHERE room = $1 AND docs ? $2 ORDER BY n DESC LIMIT $3`, [room, doc, limit])
    return rows.map(toMeta)
  }

  async get(room: string, n: number): Promise<Version | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${META}, snapshot FROM history_versions WHERE room = $1 AND n = $2`, [room, n])
    return rows[0] ? toVersion(rows[0]) : null
  }

  async latest(room: string): Promise<Version | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${META}, snapshot FROM history_versions WHERE room = $1 ORDER BY n DESC LIMIT 1`, [room])
    return rows[0] ? toVersion(rows[0]) : null
  }

  async all(room: string): Promise<Version[]> {
    const { rows } = await this.db.query<Row>(`SELECT ${META}, snapshot FROM history_versions WHERE room = $1 ORDER BY n`, [room])
    return rows.map(toVersion)
  }
}

function toMeta(row: Row): VersionMeta {
  return { room: row.room, n: row.n, seq: row.seq, at: row.at, principal: row.principal, reason: row.reason as VersionReason, label: row.label, docs: row.docs, bytes: row.bytes }
}

function toVersion(row: Row): Version {
  return { ...toMeta(row), snapshot: new Uint8Array(row.snapshot ?? Buffer.alloc(0)) }
}
