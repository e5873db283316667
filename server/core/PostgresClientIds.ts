// ClientIdStore on PostgreSQL, exact across instances: a claim inserts the ids it lacks (a
// concurrent insert of the same id waits for the other transaction, then does nothing), then
// reads the owners back in a new statement, which sees whoever won; a foreign owner rolls the
// whole claim back.

import { migratePg, type PgDatabase } from '../pg/PgDatabase.ts'
import { foreignClientId, type ClientIdStore } from './clientIds.ts'

const SCHEMA = `
CREATE TABLE history_client_ids (
  room TEXT NOT NULL,
  client BIGINT NOT NULL,
  principal TEXT NOT NULL,
  first_at BIGINT NOT NULL,
  PRIMARY KEY (room, client)
);
`

/** A claim that must leave nothing behind: thrown to roll its transaction back. */
class Refused extends Error {}

/** A transaction that lost a deadlock (two claims of overlapping ids) is retried this often. */
const RETRIES = 3

export class PostgresClientIds implements ClientIdStore {
  private constructor(private readonly db: PgDatabase) {}

  static async open(db: PgDatabase): Promise<PostgresClientIds> {
    await migratePg(db, 'pg/history/2-client-ids', SCHEMA)
    return new PostgresClientIds(db)
  }

  async owners(room: string): Promise<Map<number, string>> {
    const { rows } = await this.db.query<{ client: number; principal: string }>('SELECT client, principal FROM history_client_ids WHERE room = $1', [room])
    return new Map(rows.map((r) => [r.client, r.principal]))
  }

  async claim(room: string, principal: string, clients: readonly number[], at: number): Promise<string | null> {
    if (clients.length === 0) return null
    // Ascending ids: two claims of overlapping sets take their row locks in one order.
    const ids = [...new Set(clients)].sort((a, b) => a - b)
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.transaction(async (client) => {
          await client.query(
            `INSERT INTO history_client_ids (room, client, principal, first_at)
             SELECT $1, c, $3, $4 FROM unnest($2::bigint[]) AS c ORDER BY c ON CONFLICT DO NOTHING`,
            [room, ids, principal, at],
          )
          const foreign = await client.query<{ client: number }>(
            'SELECT client FROM history_client_ids WHERE room = $1 AND client = ANY($2::bigint[]) AND principal <> $3 ORDER BY client LIMIT 1',
            [room, ids, principal],
          )
          if (foreign.rows[0]) throw new Refused(foreignClientId(foreign.rows[0].client))
        })
        return null
      } catch (err) {
        if (err instanceof Refused) return err.message
        if (attempt >= RETRIES || (err as { code?: unknown }).code !== '40P01') throw err
      }
    }
  }
}
