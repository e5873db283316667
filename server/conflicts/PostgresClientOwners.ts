// ClientOwners on PostgreSQL: the room's owner instance learns owners as updates arrive and
// writes them here, so the next owner (after a handover) loads them with the room.

import { migratePg, type PgDatabase } from '../pg/PgDatabase.ts'
import type { ClientOwners } from './ClientOwners.ts'

const SCHEMA = `
CREATE TABLE conflict_client_owners (
  room TEXT NOT NULL,
  client BIGINT NOT NULL,
  principal TEXT NOT NULL,
  PRIMARY KEY (room, client)
);
`

export class PostgresClientOwners implements ClientOwners {
  private constructor(private readonly db: PgDatabase) {}

  static async open(db: PgDatabase): Promise<PostgresClientOwners> {
    await migratePg(db, 'pg/conflicts/2-client-owners', SCHEMA)
    return new PostgresClientOwners(db)
  }

  async add(room: string, client: number, principal: string): Promise<void> {
    await this.db.query('INSERT INTO conflict_client_owners (room, client, principal) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [room, client, principal])
  }

  async of(room: string): Promise<Map<number, string>> {
    const { rows } = await this.db.query<{ client: number; principal: string }>('SELECT client, principal FROM conflict_client_owners WHERE room = $1', [room])
    return new Map(rows.map((r) => [r.client, r.principal]))
  }
}
