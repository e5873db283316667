// The one SQLite database of a server: documents, registry, conflict log, claims.
// Opened once with durable settings; each module adds its tables through migrate().

import BetterSqlite3 from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export type Database = BetterSqlite3.Database

export interface OpenDatabaseOptions {
  /** How long a writer waits for a lock held by another connection, ms. */
  busyTimeoutMs?: number
}

/**
 * Opens (creating if needed) the database at `file`, or an in-memory one for ':memory:'.
 * WAL + synchronous=FULL: a committed transaction is fsynced to the WAL before the call
 * returns, so an acknowledged write survives kill -9 and power loss.
 */
export function openDatabase(file: string, { busyTimeoutMs = 5000 }: OpenDatabaseOptions = {}): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new BetterSqlite3(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`)
    db.pragma('foreign_keys = ON')
  } catch (err) {
    db.close()
    throw err
  }
  return db
}

/**
 * Runs `sql` once per database under a globally unique `name` (e.g. 'storage/1-init').
 * The script and its bookkeeping row commit together. Returns whether it ran now.
 * Never edit a released migration: add a new name instead.
 */
export function migrate(db: Database, name: string, sql: string): boolean {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)')
  const run = db.transaction((): boolean => {
    const done = db.prepare('SELECT 1 FROM migrations WHERE name = ?').get(name)
    if (done) return false
    db.exec(sql)
    db.prepare('INSERT INTO migrations (name, applied_at) VALUES (?, ?)').run(name, Date.now())
    return true
  })
  // IMMEDIATE: two processes starting at once must not both run the same migration.
  return run.immediate()
}
