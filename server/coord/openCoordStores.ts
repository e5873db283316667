// Picks the coordination stores for a server: SQLite on the server's file by default, Postgres
// when the server runs with --database (several instances sharing one database), imported only
// then (see server/conflicts/openConflictStores.ts).

import type { Logger } from 'pino'
import type { Database } from '../db.ts'
import type { PgDatabase } from '../pg/PgDatabase.ts'
import type { Notifications } from '../pg/Notifications.ts'
import type { TaskStore } from './TaskStore.ts'
import type { AgentReportStore } from './AgentReportStore.ts'
import { SqliteTaskStore } from './SqliteTaskStore.ts'
import { SqliteAgentReportStore } from './SqliteAgentReportStore.ts'

export interface CoordStores {
  tasks: TaskStore
  reports: AgentReportStore
}

export async function openCoordStores(db: Database, pg: { db: PgDatabase; notifications: Notifications } | null, logger: Logger): Promise<CoordStores> {
  if (!pg) return { tasks: new SqliteTaskStore(db), reports: new SqliteAgentReportStore(db) }
  const [{ PostgresTaskStore }, { PostgresAgentReportStore }] = await Promise.all([import('./PostgresTaskStore.ts'), import('./PostgresAgentReportStore.ts')])
  return {
    tasks: await PostgresTaskStore.open(pg.db, { notifications: pg.notifications, logger }),
    reports: await PostgresAgentReportStore.open(pg.db),
  }
}
