// ClientIdStore in the server's SQLite database (one instance): a claim checks the stored owners
// and the claims not yet committed, at once (so of two claims of one id exactly one succeeds), and
// its rows are committed with every other claim of the same event-loop turn (server/turnBatch.ts);
// it resolves once they are durable.

import { migrate, type Database } from '../db.ts'
import { foreignClientId, type ClientIdStore } from './clientIds.ts'
import { TurnBatch } from '../turnBatch.ts'

interface Claim {
  room: string
  client: number
  principal: string
  at: number
}

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
  readonly #batch: TurnBatch<Claim>

  constructor(private readonly db: Database) {
    migrate(db, 'history/1-client-ids', SCHEMA)
    const insert = db.prepare('INSERT OR IGNORE INTO history_client_ids (room, client, principal, first_at) VALUES (?, ?, ?, ?)')
    this.#batch = new TurnBatch(db, (claims) => {
      for (const c of claims) insert.run(c.room, c.client, c.principal, c.at)
    })
  }

  async owners(room: string): Promise<Map<number, string>> {
    const rows = this.db.prepare('SELECT client, principal FROM history_client_ids WHERE room = ?').all(room) as Array<{ client: number; principal: string }>
    return new Map(rows.map((r) => [r.client, r.principal]))
  }

  async claim(room: string, principal: string, clients: readonly number[], at: number): Promise<string | null> {
    const ownerOf = this.db.prepare('SELECT principal FROM history_client_ids WHERE room = ? AND client = ?')
    const pending = new Map<number, string>()
    for (const c of this.#batch.pending()) if (c.room === room && !pending.has(c.client)) pending.set(c.client, c.principal)
    const fresh: number[] = []
    for (const client of clients) {
      const owner = pending.get(client) ?? (ownerOf.get(room, client) as { principal: string } | undefined)?.principal
      if (owner === undefined) fresh.push(client)
      else if (owner !== principal) return foreignClientId(client)
    }
    await Promise.all(fresh.map((client) => this.#batch.add({ room, client, principal, at })))
    return null
  }
}
