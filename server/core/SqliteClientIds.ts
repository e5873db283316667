// ClientIdStore in the server's SQLite database (one instance): a claim checks and records in
// one transaction.

import { migrate, type Database } from '../db.ts'
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
  constructor(private readonly db: Database) {
    migrate(db, 'history/1-client-ids', SCHEMA)
  }

  async owners(room: string): Promise<Map<number, string>> {
    const rows = this.db.prepare('SELECT client, principal FROM history_client_ids WHERE room = ?').all(room) as Array<{ client: number; principal: string }>
    return new Map(rows.map((r) => [r.client, r.principal]))
  }

  async claim(room: string, principal: string, clients: readonly number[], at: number): Promise<string | null> {
    const ownerOf = this.db.prepare('SELECT principal FROM history_client_ids WHERE room = ? AND client = ?')
    const insert = this.db.prepare('INSERT OR IGNORE INTO history_client_ids (room, client, principal, first_at) VALUES (?, ?, ?, ?)')
    return this.db.transaction((): string | null => {
      const fresh: number[] = []
      for (const client of clients) {
        const row = ownerOf.get(room, client) as { principal: string } | undefined
        if (row === undefined) fresh.push(client)
        else if (row.principal !== principal) return foreignClientId(client)
      }
      for (const client of fresh) insert.run(room, client, principal, at)
      return null
    })()
  }
}
