// The version store contract (test/history/versionContract.ts) on SQLite, in memory and on disk.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Database } from '../server/db.ts'
import { SqliteVersionStore } from '../server/history/SqliteVersionStore.ts'
import { runVersionStoreContract } from './history/versionContract.ts'

runVersionStoreContract('SQLite in memory', () => {
  const db = openDatabase(':memory:')
  return { open: (maxPerRoom) => new SqliteVersionStore(db, { maxPerRoom }), teardown: () => db.close() }
})

runVersionStoreContract('SQLite on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polyphony-versions-'))
  const file = join(dir, 'polyphony.db')
  let db: Database = openDatabase(file)
  return {
    open: (maxPerRoom) => new SqliteVersionStore(db, { maxPerRoom }),
    reopen: () => {
      db.close()
      db = openDatabase(file)
      return new SqliteVersionStore(db)
    },
    teardown: () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
