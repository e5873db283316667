// The PostgreSQL side of a server (`--database postgres://…`): one connection pool, typed
// queries, transactions and migrations. Stores for Postgres take a PgDatabase, as the SQLite
// stores take server/db.ts's Database.

import pg from 'pg'

// int8 (bigint, 20) as a JS number: sequence numbers, epochs and times stay far below 2^53.
// Per pool, not pg's global parsers, so nothing else in the process changes.
const INT8 = 20
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

export type PgClient = pg.PoolClient

export interface PgQueryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>
}

export interface OpenPostgresOptions {
  /** Pool size. Group commit keeps writes to one connection per turn; reads use the rest. */
  max?: number
  /** Name shown in pg_stat_activity. */
  applicationName?: string
}

export class PgDatabase implements PgQueryable {
  readonly pool: pg.Pool
  readonly url: string

  constructor(url: string, { max = 10, applicationName = 'polyphony' }: OpenPostgresOptions = {}) {
    this.url = url
    this.pool = new pg.Pool({ connectionString: url, max, application_name: applicationName, types })
    // An idle client losing its connection (server restart) must not crash the process: the
    // pool drops it and the next query opens a new one.
    this.pool.on('error', () => {})
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(sql, params)
  }

  /** Runs `fn` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  async transaction<T>(fn: (client: PgClient) => Promise<T>, { isolation }: { isolation?: 'serializable' | 'repeatable read' } = {}): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query(isolation ? `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}` : 'BEGIN')
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }

  close(): Promise<void> {
    return this.pool.end()
  }
}

/** Opens a pool and checks the server answers, with an error that says what to fix. */
export async function openPostgres(url: string, options?: OpenPostgresOptions): Promise<PgDatabase> {
  const db = new PgDatabase(url, options)
  try {
    await db.query('SELECT 1')
  } catch (err) {
    await db.close().catch(() => {})
    const reason = err instanceof Error ? err.message : String(err)
    throw new Error(`cannot reach PostgreSQL at ${redactUrl(url)}: ${reason} (check --database / POLYPHONY_DATABASE_URL, and that the server is running)`, { cause: err })
  }
  return db
}

/** The URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(unparseable URL)'
  }
}

// Any fixed 64-bit key: every instance starting at once serialises its migrations on it.
const MIGRATION_LOCK = 0x706f6c79

/**
 * Runs `sql` once per database under a globally unique `name` (e.g. 'pg/storage/1-init'),
 * like server/db.ts's migrate(): the script and its bookkeeping row commit together, and
 * instances starting together wait on one advisory lock instead of racing. Never edit a
 * released migration: add a new name instead.
 */
export async function migratePg(db: PgDatabase, name: string, sql: string): Promise<boolean> {
  return db.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query('CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)')
    const done = await client.query('SELECT 1 FROM migrations WHERE name = $1', [name])
    if (done.rowCount) return false
    await client.query(sql)
    await client.query('INSERT INTO migrations (name, applied_at) VALUES ($1, $2)', [name, Date.now()])
    return true
  })
}
