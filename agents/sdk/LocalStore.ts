// The agent's local copy of its rooms, so it keeps working (and loses nothing) while the
// server is unreachable or the agent restarts. One SQLite file per storeDir; every local
// update is appended before the agent's write call returns.

import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import * as Y from 'yjs'

/** Fold the log into one row when it grows past this many updates. */
const COMPACT_AFTER = 500

export class LocalStore {
  #db: Database.Database
  #counts = new Map<string, number>()

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true })
    this.#db = new Database(join(dir, 'agent-store.db'))
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = FULL')
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS updates (id INTEGER PRIMARY KEY, room TEXT NOT NULL, data BLOB NOT NULL);
      CREATE INDEX IF NOT EXISTS updates_room ON updates(room, id);
      CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS pending (room TEXT PRIMARY KEY, changes INTEGER NOT NULL);`)
  }

  /**
   * Applies the stored state of `room` to `doc` and keeps appending its later updates. Updates
   * for which `isLocal(origin)` holds are also counted as pending (same transaction: one fsync)
   * until clearPending.
   */
  bind(room: string, doc: Y.Doc, origin: unknown, isLocal: (origin: unknown) => boolean = () => false): () => void {
    const rows = this.#db.prepare('SELECT data FROM updates WHERE room = ? ORDER BY id').all(room) as Array<{ data: Buffer }>
    Y.transact(doc, () => rows.forEach((r) => Y.applyUpdate(doc, r.data, origin)), origin)
    this.#counts.set(room, rows.length)
    const insert = this.#db.prepare('INSERT INTO updates (room, data) VALUES (?, ?)')
    const count = this.#db.prepare('INSERT INTO pending (room, changes) VALUES (?, 1) ON CONFLICT(room) DO UPDATE SET changes = changes + 1')
    const append = this.#db.transaction((update: Uint8Array, local: boolean) => {
      insert.run(room, update)
      if (local) count.run(room)
    })
    const onUpdate = (update: Uint8Array, from: unknown) => {
      if (from === origin) return
      append(update, isLocal(from))
      const n = (this.#counts.get(room) ?? 0) + 1
      this.#counts.set(room, n)
      if (n > COMPACT_AFTER) this.#compact(room, doc)
    }
    doc.on('update', onUpdate)
    return () => doc.off('update', onUpdate)
  }

  get(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined)?.value
  }

  set(key: string, value: string): void {
    this.#db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value)
  }

  /** The server has durably stored everything `room` holds. */
  clearPending(room: string): void {
    this.#db.prepare('DELETE FROM pending WHERE room = ?').run(room)
  }

  /** Local changes of `room` not yet acknowledged by the server (kept across restarts). */
  pending(room: string): number {
    return (this.#db.prepare('SELECT changes FROM pending WHERE room = ?').get(room) as { changes: number } | undefined)?.changes ?? 0
  }

  close(): void {
    this.#db.close()
  }

  #compact(room: string, doc: Y.Doc): void {
    const state = Y.encodeStateAsUpdate(doc)
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM updates WHERE room = ?').run(room)
      this.#db.prepare('INSERT INTO updates (room, data) VALUES (?, ?)').run(room, state)
    })()
    this.#counts.set(room, 1)
  }
}
