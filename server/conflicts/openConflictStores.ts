// The conflict log and client owners a server uses: SQLite embedded, or Postgres when the server
// runs on one (shared by every instance, changes announced to the others).

import type { Database } from '../db.ts'
import type { PostgresCluster } from '../cluster/postgresCluster.ts'
import type { ConflictLog } from './ConflictLog.ts'
import type { ClientOwners } from './ClientOwners.ts'
import { SqliteConflictLog } from './SqliteConflictLog.ts'
import { SqliteClientOwners } from './SqliteClientOwners.ts'
import { PostgresConflictLog } from './PostgresConflictLog.ts'
import { PostgresClientOwners } from './PostgresClientOwners.ts'

export async function openConflictStores(
  db: Database,
  pg: Pick<PostgresCluster, 'db' | 'notifications' | 'instanceId'> | null,
): Promise<{ log: ConflictLog; owners: ClientOwners }> {
  if (!pg) return { log: new SqliteConflictLog(db), owners: new SqliteClientOwners(db) }
  return {
    log: await PostgresConflictLog.open(pg.db, { instanceId: pg.instanceId, notifications: pg.notifications }),
    owners: await PostgresClientOwners.open(pg.db),
  }
}
