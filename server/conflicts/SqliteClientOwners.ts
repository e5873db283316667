// ClientOwners in the server's SQLite database: one row per client id. add() resolves once its row
// is committed, with every other row added in the same event-loop turn (server/turnBatch.ts).

import type { Database, Statement } from 'better-sqlite3'
import { migrate } from '../db.ts'
import type { ClientOwners } from './ClientOwners.ts'
import { TurnBatch } from '../turnBatch.ts'

const SCHEMA = `
CREATE TABLE conflict_client_owners (
  room TEXT NOT NULL,
  client INTEGER NOT NULL,
  principal TEXT NOT NULL,
  PRIMARY KEY (room, client)
);
`

export class SqliteClientOwners implements ClientOwners {
  #list: Statement<[string]>
  #batch: TurnBatch<[room: string, client: number, principal: string]>

  constructor(db: Database) {
    migrate(db, 'conflicts/2-client-owners', SCHEMA)
    const insert = db.prepare<[string, number, string]>('INSERT OR IGNORE INTO conflict_client_owners (room, client, principal) VALUES (?, ?, ?)')
    this.#batch = new TurnBatch(db, (rows) => {
      for (const row of rows) insert.run(...row)
    })
    this.#list = db.prepare('SELECT client, principal FROM conflict_client_owners WHERE room = ?')
  }

  add(room: string, client: number, principal: string): Promise<void> {
    return this.#batch.add([room, client, principal])
  }

  async of(room: string): Promise<Map<number, string>> {
    const rows = this.#list.all(room) as Array<{ client: number; principal: string }>
    return new Map(rows.map((r) => [r.client, r.principal]))
  }
}
