// The coordination store contract (test/coord/contract.ts) on every backend: SQLite with an
// injected clock, and Postgres (a fresh database per test) with the database clock shifted.

import { openDatabase } from '../../server/db.ts'
import { SqliteAgentReportStore, SqliteTaskStore } from '../../server/coord/index.ts'
import { PostgresTaskStore } from '../../server/coord/PostgresTaskStore.ts'
import { PostgresAgentReportStore } from '../../server/coord/PostgresAgentReportStore.ts'
import { openPostgres } from '../../server/pg/PgDatabase.ts'
import { freshDatabase } from '../helpers/postgres.ts'
import { runCoordContract } from './contract.ts'

runCoordContract('SQLite', async () => {
  let clock = 1_700_000_000_000
  const db = openDatabase(':memory:')
  const now = () => clock
  return {
    tasks: new SqliteTaskStore(db, { now }),
    reports: new SqliteAgentReportStore(db, now),
    advance: (ms) => void (clock += ms),
    teardown: async () => void db.close(),
  }
})

runCoordContract('Postgres', async () => {
  let shift = 0
  const clockShiftMs = () => shift
  const db = await openPostgres(await freshDatabase('coord'))
  const tasks = await PostgresTaskStore.open(db, { clockShiftMs })
  return {
    tasks,
    reports: await PostgresAgentReportStore.open(db, { clockShiftMs }),
    advance: (ms) => void (shift += ms),
    teardown: async () => {
      await tasks.close()
      await db.close()
    },
  }
})
