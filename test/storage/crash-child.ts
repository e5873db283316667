// Child process for the kill -9 test: appends real Yjs updates one by one to a SQLite
// storage and prints `ack <seq>` after each append resolves. Usage: crash-child.ts <db> <n>

import { openDatabase } from '../../server/db.ts'
import { SqliteStorage } from '../../server/storage/SqliteStorage.ts'
import { Writer } from './ydoc.ts'

const [file, n] = process.argv.slice(2)
const storage = new SqliteStorage(openDatabase(file))
const writer = new Writer('crash-child')
for (let i = 1; i <= Number(n); i++) {
  const [seq] = await storage.append('crash/shared', writer.insert(`${i};`))
  // Synchronous write: the line is out before the next append starts.
  process.stdout.write(`ack ${seq} ${i}\n`)
}
process.stdout.write('done\n')
