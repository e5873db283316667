// The version store contract (test/history/versionContract.ts) on SQLite, in memory and on disk,
// and on PostgreSQL (two stores on one database stand for two instances).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Database } from '../server/db.ts'
import { openPostgres, type PgDatabase } from '../server/pg/PgDatabase.ts'
import { SqliteVersionStore } from '../server/history/SqliteVersionStore.ts'
import { PostgresVersionStore } from '../server/history/PostgresVersionStore.ts'
import { freshDatabase } from './helpers/postgres.ts'
import { runVersionStoreContract } from './history/versionContract.ts'

runVersionStoreContract('SQLite in memory', async () => {
  const db = openDatabase(':memory:')
  return {
    open: async (maxPerRoom) => new SqliteVersionStore(db, { maxPerRoom }),
    teardown: async () => {
      db.close()
    },
  }
})

runVersionStoreContract('SQLite on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polyphony-versions-'))
  const file = join(dir, 'polyphony.db')
  let db: Database = openDatabase(file)
  return {
    open: async (maxPerRoom) => new SqliteVersionStore(db, { maxPerRoom }),
    reopen: async () => {
      db.close()
      db = openDatabase(file)
      return new SqliteVersionStore(db)
    },
    teardown: async () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

runVersionStoreContract('PostgreSQL', async () => {
  const url = await freshDatabase('versions')
  const pools: PgDatabase[] = []
  const pool = async () => {
    const db = await openPostgres(url)
    pools.push(db)
    return db
  }
  return {
    open: async (maxPerRoom) => PostgresVersionStore.open(await pool(), { maxPerRoom }),
    reopen: async () => PostgresVersionStore.open(await pool()),
    second: async () => PostgresVersionStore.open(await pool()),
    teardown: async () => {
      for (const db of pools) await db.close()
    },
  }
})
