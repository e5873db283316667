// The client id ownership contract (test/clientIds/contract.ts) on SQLite and on PostgreSQL
// (two stores on one database stand for two instances).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../server/db.ts'
import { openPostgres, type PgDatabase } from '../server/pg/PgDatabase.ts'
import { SqliteClientIds } from '../server/core/SqliteClientIds.ts'
import { PostgresClientIds } from '../server/core/PostgresClientIds.ts'
import { freshDatabase } from './helpers/postgres.ts'
import { runClientIdsContract } from './clientIds/contract.ts'

runClientIdsContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polyphony-client-ids-'))
  const file = join(dir, 'polyphony.db')
  let db = openDatabase(file)
  return {
    store: new SqliteClientIds(db),
    reopen: async () => {
      db.close()
      db = openDatabase(file)
      return new SqliteClientIds(db)
    },
    teardown: async () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

runClientIdsContract('PostgreSQL', async () => {
  const url = await freshDatabase('client_ids')
  const pools: PgDatabase[] = []
  const instance = async () => {
    const db = await openPostgres(url)
    pools.push(db)
    return PostgresClientIds.open(db)
  }
  return {
    store: await instance(),
    reopen: instance,
    second: instance,
    teardown: async () => {
      for (const db of pools) await db.close()
    },
  }
})
