// `npx tsx bench/storageAppend.ts [postgres://URL] [--iterations N]`: durable append latency of
// one room, one append of 1 and of 100 real Yjs updates at a time (what a room's write queue
// hands storage per turn), on SQLite (a temp file, synchronous=FULL) and on PostgreSQL
// (synchronous_commit on). Without a URL it starts a throwaway cluster from Debian's binaries,
// as the tests do. Appends run one after another: this is latency, not throughput.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { openDatabase } from '../server/db.ts'
import { SqliteStorage } from '../server/storage/SqliteStorage.ts'
import { PostgresStorage } from '../server/storage/PostgresStorage.ts'
import type { DocumentStorage } from '../server/storage/DocumentStorage.ts'
import { openPostgres } from '../server/pg/PgDatabase.ts'
import { InstanceLease } from '../server/cluster/InstanceLease.ts'
import { startPgCluster } from '../test/helpers/postgres.ts'
import { Writer } from '../test/storage/ydoc.ts'
import { distribution } from './stats.ts'

const { values, positionals } = parseArgs({ options: { iterations: { type: 'string', default: '300' } }, allowPositionals: true })
const iterations = Number(values.iterations)
const cluster = positionals[0] ? null : startPgCluster()
const url = positionals[0] ?? cluster!.url('postgres')

async function measure(name: string, storage: DocumentStorage, perTurn: number): Promise<string> {
  const writer = new Writer('bench')
  const batches = Array.from({ length: iterations + 20 }, () => Array.from({ length: perTurn }, (_, i) => writer.insert(String(i % 10))).flat())
  const room = `bench-${perTurn}/shared`
  for (const b of batches.slice(0, 20)) await storage.append(room, b) // warm-up
  const ms: number[] = []
  for (const b of batches.slice(20)) {
    const t0 = performance.now()
    await storage.append(room, b)
    ms.push(performance.now() - t0)
  }
  const d = distribution(ms)
  return `| ${name} | ${perTurn} | ${d.p50.toFixed(2)} | ${d.p99.toFixed(2)} | ${((perTurn * 1000) / (ms.reduce((a, b) => a + b, 0) / ms.length)).toFixed(0)} |`
}

const rows: string[] = []
const dir = mkdtempSync(join(tmpdir(), 'polyphony-append-bench-'))
try {
  const sqliteDb = openDatabase(join(dir, 'bench.db'))
  const sqlite = new SqliteStorage(sqliteDb)
  for (const n of [1, 100]) rows.push(await measure('sqlite', sqlite, n))
  await sqlite.close()
  sqliteDb.close()

  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  const dbName = `append_bench_${Date.now()}`
  await admin.query(`CREATE DATABASE ${dbName}`)
  const benchUrl = new URL(url)
  benchUrl.pathname = `/${dbName}`
  const db = await openPostgres(benchUrl.toString())
  const lease = await InstanceLease.start({ db, instanceId: 'bench' })
  const postgres = await PostgresStorage.open({ db, instanceId: 'bench' })
  for (const n of [1, 100]) rows.push(await measure('postgres', postgres, n))
  await postgres.close()
  await lease.close()
  await db.close()
  await admin.query(`DROP DATABASE ${dbName}`)
  await admin.end()
} finally {
  rmSync(dir, { recursive: true, force: true })
  cluster?.stop()
}
console.log(`append latency, one room, ${iterations} sequential appends each (ms)\n`)
console.log('| backend | updates per append | p50 ms | p99 ms | updates/s |\n|---|---|---|---|---|')
console.log(rows.join('\n'))
