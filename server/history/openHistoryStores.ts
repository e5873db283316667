// The version store and client id owners a server uses: SQLite embedded, or Postgres when the
// server runs on one (shared by every instance), imported only then (see openConflictStores).

import type { Database } from '../db.ts'
import type { PostgresCluster } from '../cluster/postgresCluster.ts'
import type { ClientIdStore } from '../core/clientIds.ts'
import { SqliteClientIds } from '../core/SqliteClientIds.ts'
import type { VersionStore } from './VersionStore.ts'
import { SqliteVersionStore } from './SqliteVersionStore.ts'

export async function openHistoryStores(
  db: Database,
  pg: Pick<PostgresCluster, 'db' | 'notifications' | 'instanceId'> | null,
  maxPerRoom?: number,
): Promise<{ store: VersionStore; owners: ClientIdStore }> {
  if (!pg) return { store: new SqliteVersionStore(db, { maxPerRoom }), owners: new SqliteClientIds(db) }
  const [{ PostgresVersionStore }, { PostgresClientIds }] = await Promise.all([import('./PostgresVersionStore.ts'), import('../core/PostgresClientIds.ts')])
  return { store: await PostgresVersionStore.open(pg.db, { maxPerRoom }), owners: await PostgresClientIds.open(pg.db) }
}
