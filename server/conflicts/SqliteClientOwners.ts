// ClientOwners in the server's SQLite database: one row per client id. add() resolves once its row
// is committed, with the rest of the turn's writes (server/sqliteGroupCommit.ts: one fsync).

import type { Database, Statement } from 'better-sqlite3'
import { migrate } from '../db.ts'
import type { ClientOwners } from './ClientOwners.ts'
import { SqliteGroupCommit } from '../sqliteGroupCommit.ts'

const SCHEMA = `
CREATE TABLE conflict_client_owners (
  room TEXT NOT NULL,
  client INTEGER NOT NULL,
  principal TEXT NOT NULL,
  PRIMARY KEY (room, client)
);
`

export class SqliteClientOwners implements ClientOwners {
  #insert: Statement<[string, number, string]>
  #list: Statement<[string]>
  #commit: SqliteGroupCommit

  constructor(db: Database) {
    migrate(db, 'conflicts/2-client-owners', SCHEMA)
    this.#insert = db.prepare('INSERT OR IGNORE INTO conflict_client_owners (room, client, principal) VALUES (?, ?, ?)')
    this.#list = db.prepare('SELECT client, principal FROM conflict_client_owners WHERE room = ?')
    this.#commit = SqliteGroupCommit.of(db)
  }

  add(room: string, client: number, principal: string): Promise<void> {
    return this.#commit.run(() => void this.#insert.run(room, client, principal))
  }

  async of(room: string): Promise<Map<number, string>> {
    const rows = this.#list.all(room) as Array<{ client: number; principal: string }>
    return new Map(rows.map((r) => [r.client, r.principal]))
  }
}
