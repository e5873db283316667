// ClientIdStore in the server's SQLite database (one instance): a claim checks and records in
// one savepoint of the turn's write transaction (server/sqliteGroupCommit.ts: the turn's appends,
// claims and owners share one fsync), so it resolves once durable, and claims run in order: of
// two claims of one id exactly one succeeds.

import type { Statement } from 'better-sqlite3'
import { migrate, type Database } from '../db.ts'
import { SqliteGroupCommit } from '../sqliteGroupCommit.ts'
import { foreignClientId, type ClientIdStore } from './clientIds.ts'

const SCHEMA = `
CREATE TABLE history_client_ids (
  room TEXT NOT NULL,
  client INTEGER NOT NULL,
  principal TEXT NOT NULL,
  first_at INTEGER NOT NULL,
  PRIMARY KEY (room, client)
) WITHOUT ROWID;
`

export class SqliteClientIds implements ClientIdStore {
  readonly #commit: SqliteGroupCommit
  readonly #owners: Statement<[string], { client: number; principal: string }>
  readonly #ownerOf: Statement<[string, number], { principal: string }>
  readonly #insert: Statement<[string, number, string, number]>

  constructor(db: Database) {
    migrate(db, 'history/1-client-ids', SCHEMA)
    this.#commit = SqliteGroupCommit.of(db)
    this.#owners = db.prepare<[string], { client: number; principal: string }>('SELECT client, principal FROM history_client_ids WHERE room = ?')
    this.#ownerOf = db.prepare<[string, number], { principal: string }>('SELECT principal FROM history_client_ids WHERE room = ? AND client = ?')
    this.#insert = db.prepare<[string, number, string, number]>('INSERT OR IGNORE INTO history_client_ids (room, client, principal, first_at) VALUES (?, ?, ?, ?)')
  }

  async owners(room: string): Promise<Map<number, string>> {
    return new Map(this.#owners.all(room).map((r) => [r.client, r.principal]))
  }

  claim(room: string, principal: string, clients: readonly number[], at: number): Promise<string | null> {
    if (clients.length === 0) return Promise.resolve(null)
    return this.#commit.run((): string | null => {
      const fresh: number[] = []
      for (const client of clients) {
        const owner = this.#ownerOf.get(room, client)?.principal
        if (owner === undefined) fresh.push(client)
        else if (owner !== principal) return foreignClientId(client)
      }
      for (const client of fresh) this.#insert.run(room, client, principal, at)
      return null
    })
  }
}
