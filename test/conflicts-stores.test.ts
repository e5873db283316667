// The conflict log and client owners contract (test/conflicts/contract.ts) on SQLite and on
// PostgreSQL (two instances: two pools and two listening connections on one database).

import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../server/db.ts'
import { openPostgres, type PgDatabase } from '../server/pg/PgDatabase.ts'
import { Notifications } from '../server/pg/Notifications.ts'
import { ConflictService, SqliteClientOwners, SqliteConflictLog } from '../server/conflicts/index.ts'
import { PostgresConflictLog } from '../server/conflicts/PostgresConflictLog.ts'
import { PostgresClientOwners } from '../server/conflicts/PostgresClientOwners.ts'
import { ServerMetrics } from '../server/metrics.ts'
import { createLogger } from '../server/logger.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'
import { freshDatabase } from './helpers/postgres.ts'
import { nextEvent, waitFor } from './helpers/wait.ts'
import { mapRecord, runConflictStoresContract } from './conflicts/contract.ts'

runConflictStoresContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polyphony-conflicts-'))
  const file = join(dir, 'polyphony.db')
  let db = openDatabase(file)
  return {
    log: new SqliteConflictLog(db),
    owners: new SqliteClientOwners(db),
    reopen: async () => {
      db.close()
      db = openDatabase(file)
      return { log: new SqliteConflictLog(db), owners: new SqliteClientOwners(db) }
    },
    teardown: async () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

runConflictStoresContract('PostgreSQL', async () => {
  const url = await freshDatabase('conflicts')
  const closers: Array<() => Promise<void>> = []
  let instances = 0
  const instance = async () => {
    const db: PgDatabase = await openPostgres(url)
    const notifications = new Notifications(url)
    await notifications.start()
    closers.push(
      () => notifications.close(),
      () => db.close(),
    )
    const instanceId = `instance-${++instances}`
    return { log: await PostgresConflictLog.open(db, { instanceId, notifications }), owners: await PostgresClientOwners.open(db) }
  }
  const first = await instance()
  return {
    ...first,
    reopen: instance,
    second: instance,
    teardown: async () => {
      for (const close of closers.reverse()) await close()
    },
  }
})

describe('ConflictService on two instances (PostgreSQL)', () => {
  it('a record stored through instance A is emitted on B with the same id; a proposal made on B is emitted on A', async () => {
    const url = await freshDatabase('conflicts_service')
    const closers: Array<() => Promise<void>> = []
    const instance = async (instanceId: string) => {
      const db = await openPostgres(url)
      const notifications = new Notifications(url)
      await notifications.start()
      closers.push(
        () => notifications.close(),
        () => db.close(),
      )
      const log = await PostgresConflictLog.open(db, { instanceId, notifications })
      return new ConflictService({ log, owners: await PostgresClientOwners.open(db), metrics: new ServerMetrics(), logger: createLogger('silent') })
    }
    try {
      const [a, b] = [await instance('a'), await instance('b')]
      const onA: ConflictRecord[] = []
      a.on('conflict', (_ws, r) => onA.push(r))
      const record = mapRecord(1)
      const emittedOnB = nextEvent<[string, ConflictRecord]>(b, 'conflict')
      await a.record('w1', [record], 'alice')
      expect(await emittedOnB).toEqual(['w1', record])
      expect(onA).toEqual([record])
      const proposedOnA = new Promise<ConflictRecord>((resolve) => a.on('conflict', (_ws, r) => r.proposals && resolve(r)))
      await b.propose('w1', record.id, 'arbiter', { pick: 'alice' }, 'alice was first')
      expect((await proposedOnA).proposals?.map((p) => [p.by, p.choice])).toEqual([['arbiter', 'alice']])
      expect(await b.list('w1', { status: 'all' })).toEqual(await a.list('w1', { status: 'all' }))
    } finally {
      for (const close of closers.reverse()) await close()
    }
  })
})

describe('PostgresConflictLog after its listening connection drops', () => {
  it('re-reads what another instance changed while it was not listening, and announces it', async () => {
    const url = await freshDatabase('conflicts_reconnect')
    const [dbA, dbB] = [await openPostgres(url), await openPostgres(url)]
    // B reconnects after a second: A's write surely lands while B is not listening.
    const notifications = new Notifications(url, { retryMs: 1000 })
    try {
      await notifications.start()
      const a = await PostgresConflictLog.open(dbA, { instanceId: 'a' })
      const b = await PostgresConflictLog.open(dbB, { instanceId: 'b', notifications })
      const heard: string[][] = []
      b.onChanged((ids) => heard.push(ids))
      const listeners = "SELECT pid FROM pg_stat_activity WHERE application_name = 'polyphony-listen' AND datname = current_database()"
      await dbA.query(`SELECT pg_terminate_backend(pid) FROM (${listeners}) AS l`)
      await waitFor(async () => (await dbA.query(listeners)).rowCount === 0, 'the listening connection to drop')
      const record = mapRecord(1)
      await a.add('w1', [record])
      await waitFor(() => heard.length > 0, 'B to re-read after reconnecting')
      expect(heard).toEqual([[record.id]])
    } finally {
      await notifications.close()
      await dbA.close()
      await dbB.close()
    }
  })
})
