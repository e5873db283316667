// Postgres registries for tests: each is one "instance" (its own pool, listening connection
// and in-memory replica), as a server on that database would open it.

import { openPostgres, type PgDatabase } from '../../server/pg/PgDatabase.ts'
import { Notifications } from '../../server/pg/Notifications.ts'
import { PostgresRegistry } from '../../server/registry/index.ts'

export interface RegistryInstance {
  registry: PostgresRegistry
  /** The instance's pool (a test may close it to cut the instance off the database). */
  db: PgDatabase
  close: () => Promise<void>
}

export async function openRegistryInstance(url: string, instanceId: string): Promise<RegistryInstance> {
  const db = await openPostgres(url)
  const notifications = new Notifications(url)
  await notifications.start()
  const registry = await PostgresRegistry.open({ db, notifications, instanceId })
  return {
    registry,
    db,
    close: async () => {
      await registry.close()
      await notifications.close()
      await db.close().catch(() => {})
    },
  }
}

/** Everything in the op log, as text. */
export async function opLogText(url: string): Promise<string> {
  const db = await openPostgres(url)
  try {
    const rows = await db.query<{ op: string }>('SELECT op::text AS op FROM registry_ops ORDER BY seq')
    return rows.rows.map((r) => r.op).join('\n')
  } finally {
    await db.close()
  }
}
