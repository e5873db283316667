// Child process for the kill -9 tests: appends real Yjs updates one by one to a SQLite storage
// (a file path) or a PostgreSQL one (a postgres:// URL) and prints `ack <seq> <i>` after each
// append resolves. Usage: crash-child.ts <db file | postgres URL> <n>

import { openDatabase } from '../../server/db.ts'
import { SqliteStorage } from '../../server/storage/SqliteStorage.ts'
import { PostgresStorage } from '../../server/storage/PostgresStorage.ts'
import type { DocumentStorage } from '../../server/storage/DocumentStorage.ts'
import { openPostgres } from '../../server/pg/PgDatabase.ts'
import { InstanceLease } from '../../server/cluster/InstanceLease.ts'
import { Writer } from './ydoc.ts'

const [target, n] = process.argv.slice(2)

async function open(): Promise<DocumentStorage> {
  if (!/^postgres(ql)?:\/\//.test(target)) return new SqliteStorage(openDatabase(target))
  const db = await openPostgres(target)
  await InstanceLease.start({ db, instanceId: 'crash-child' })
  return PostgresStorage.open({ db, instanceId: 'crash-child' })
}

const storage = await open()
const writer = new Writer('crash-child')
for (let i = 1; i <= Number(n); i++) {
  const [seq] = await storage.append('crash/shared', writer.insert(`${i};`))
  // Synchronous write: the line is out before the next append starts.
  process.stdout.write(`ack ${seq} ${i}\n`)
}
process.stdout.write('done\n')
