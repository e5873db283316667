// Which principal wrote with each Yjs client id, per room, kept durably: after log compaction the
// snapshot no longer says who wrote what, and the detector needs it to compare a write arriving
// after a restart with the values folded into the snapshot. One row per client id (rare writes).

import type { Database, Statement } from 'better-sqlite3'
import { migrate } from '../db.ts'

const SCHEMA = `
CREATE TABLE conflict_client_owners (
  room TEXT NOT NULL,
  client INTEGER NOT NULL,
  principal TEXT NOT NULL,
  PRIMARY KEY (room, client)
);
`

export class ClientOwners {
  #insert: Statement<[string, number, string]>
  #list: Statement<[string]>

  constructor(db: Database) {
    migrate(db, 'conflicts/2-client-owners', SCHEMA)
    this.#insert = db.prepare('INSERT OR IGNORE INTO conflict_client_owners (room, client, principal) VALUES (?, ?, ?)')
    this.#list = db.prepare('SELECT client, principal FROM conflict_client_owners WHERE room = ?')
  }

  add(room: string, client: number, principal: string): void {
    this.#insert.run(room, client, principal)
  }

  of(room: string): Map<number, string> {
    const rows = this.#list.all(room) as Array<{ client: number; principal: string }>
    return new Map(rows.map((r) => [r.client, r.principal]))
  }
}
