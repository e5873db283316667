// What a server on `--database` opens once: one pool, one LISTEN connection, this instance's
// lease, and the document storage that owns rooms under that lease. Stores moving to Postgres
// take `db` (and `notifications`) from here.

import type { Logger } from 'pino'
import { openPostgres, redactUrl, type PgDatabase } from '../pg/PgDatabase.ts'
import { Notifications } from '../pg/Notifications.ts'
import { databaseUrlProblem } from '../pg/databaseUrl.ts'
import { PostgresStorage } from '../storage/PostgresStorage.ts'
import { InstanceLease } from './InstanceLease.ts'
import { instanceIdProblem } from './instanceId.ts'

export interface ClusterOptions {
  /** How long a heartbeat keeps this instance's rooms its own (default 5000 ms; beats every third). */
  leaseMs?: number
  /** The URL other instances reach this one at (default: the server's own http URL). */
  advertiseUrl?: string
}

export interface PostgresCluster {
  instanceId: string
  db: PgDatabase
  notifications: Notifications
  lease: InstanceLease
  documents: PostgresStorage
  /** Ends the lease (rooms still held can be taken at once) and closes the connections. */
  close(): Promise<void>
}

export async function openPostgresCluster(opts: { url: string; instanceId: string; cluster?: ClusterOptions; logger: Logger }): Promise<PostgresCluster> {
  const problem = databaseUrlProblem(opts.url) ?? instanceIdProblem(opts.instanceId)
  if (problem) throw new Error(problem)
  const { instanceId, logger } = opts
  const db = await openPostgres(opts.url, { applicationName: `polyphony ${instanceId}`.slice(0, 63) })
  const notifications = new Notifications(opts.url, { logger })
  // The heartbeat has a connection of its own: behind a pool saturated by room loads it could
  // wait past the lease, and this instance would lose every room for nothing.
  let heartbeatDb: PgDatabase | null = null
  let lease: InstanceLease | null = null
  try {
    heartbeatDb = await openPostgres(opts.url, { max: 1, applicationName: `polyphony ${instanceId} heartbeat`.slice(0, 63) })
    await notifications.start()
    lease = await InstanceLease.start({ db: heartbeatDb, instanceId, leaseMs: opts.cluster?.leaseMs, url: opts.cluster?.advertiseUrl, logger })
    const documents = await PostgresStorage.open({ db, instanceId })
    lease.onLost(() => documents.loseAll())
    logger.info({ database: redactUrl(opts.url), instanceId, leaseMs: lease.leaseMs }, 'documents on PostgreSQL')
    const started = lease
    const heartbeat = heartbeatDb
    return {
      instanceId,
      db,
      notifications,
      lease: started,
      documents,
      close: async () => {
        await started.close().catch((err: unknown) => logger.warn({ err }, 'instance lease could not be ended; it lapses on its own'))
        await notifications.close()
        await heartbeat.close()
        await db.close()
      },
    }
  } catch (err) {
    await lease?.stop()
    await notifications.close()
    await heartbeatDb?.close()
    await db.close()
    throw err
  }
}
