// The conflict log and client owners a server uses: SQLite embedded, or Postgres when the server
// runs on one (shared by every instance, changes announced to the others). The Postgres stores
// are imported only then: a SQLite server does not hold node-postgres (docs/benchmarks.md).

import type { Database } from '../db.ts'
import type { PostgresCluster } from '../cluster/postgresCluster.ts'
import type { ConflictLog } from './ConflictLog.ts'
import type { ClientOwners } from './ClientOwners.ts'
import { SqliteConflictLog } from './SqliteConflictLog.ts'
import { SqliteClientOwners } from './SqliteClientOwners.ts'

export async function openConflictStores(
  db: Database,
  pg: Pick<PostgresCluster, 'db' | 'notifications' | 'instanceId'> | null,
): Promise<{ log: ConflictLog; owners: ClientOwners }> {
  if (!pg) return { log: new SqliteConflictLog(db), owners: new SqliteClientOwners(db) }
  const [{ PostgresConflictLog }, { PostgresClientOwners }] = await Promise.all([import('./PostgresConflictLog.ts'), import('./PostgresClientOwners.ts')])
  return {
    log: await PostgresConflictLog.open(pg.db, { instanceId: pg.instanceId, notifications: pg.notifications }),
    owners: await PostgresClientOwners.open(pg.db),
  }
}
