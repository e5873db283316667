// The test cluster and server/pg/PgDatabase: a real PostgreSQL, migrations that run once even
// when several instances start together, transactions that roll back.
import { describe, expect, it } from 'vitest'
import { freshDatabase } from './helpers/postgres.ts'
import { migratePg, openPostgres } from '../server/pg/PgDatabase.ts'

describe('PostgreSQL test cluster', () => {
  it('gives each caller its own empty database on a real server', async () => {
    const [a, b] = [await freshDatabase(), await freshDatabase()]
    expect(a).not.toBe(b)
    const db = await openPostgres(a)
    try {
      const { rows } = await db.query<{ server_version: string }>('SHOW server_version')
      expect(Number.parseInt(rows[0].server_version, 10)).toBeGreaterThanOrEqual(13)
      const fsync = await db.query<{ fsync: string }>('SHOW fsync')
      expect(fsync.rows[0].fsync).toBe('on')
    } finally {
      await db.close()
    }
  })

  it('runs a migration once when five pools start it together, and parses bigint as number', async () => {
    const url = await freshDatabase()
    const pools = await Promise.all(Array.from({ length: 5 }, () => openPostgres(url)))
    try {
      const ran = await Promise.all(pools.map((db) => migratePg(db, 'test/1-init', 'CREATE TABLE t (id BIGINT PRIMARY KEY)')))
      expect(ran.filter(Boolean)).toHaveLength(1)
      await pools[0].query('INSERT INTO t VALUES ($1)', [2 ** 40])
      expect((await pools[1].query<{ id: number }>('SELECT id FROM t')).rows[0].id).toBe(2 ** 40)
    } finally {
      await Promise.all(pools.map((db) => db.close()))
    }
  })

  it('rolls a failed transaction back', async () => {
    const db = await openPostgres(await freshDatabase())
    try {
      await db.query('CREATE TABLE t (id INT PRIMARY KEY)')
      await expect(
        db.transaction(async (c) => {
          await c.query('INSERT INTO t VALUES (1)')
          await c.query('INSERT INTO t VALUES (1)')
        }),
      ).rejects.toThrow(/duplicate key/)
      expect((await db.query('SELECT * FROM t')).rowCount).toBe(0)
    } finally {
      await db.close()
    }
  })

  it('says what to fix when the server is unreachable', async () => {
    await expect(openPostgres('postgres://nobody:secret@localhost/none?host=/nonexistent-dir')).rejects.toThrow(/cannot reach PostgreSQL at .*\*\*\*.*POLYPHONY_DATABASE_URL/)
  })
})

describe('Notifications', () => {
  it('delivers NOTIFY payloads from another connection to every listener of the channel, and only those', async () => {
    const { Notifications, notify } = await import('../server/pg/Notifications.ts')
    const url = await freshDatabase()
    const db = await openPostgres(url)
    const listener = new Notifications(url)
    try {
      await listener.start()
      const got: string[] = []
      const other: string[] = []
      await listener.listen('test_a', (p) => got.push(`1:${p}`))
      await listener.listen('test_a', (p) => got.push(`2:${p}`))
      await listener.listen('test_b', (p) => other.push(p))
      const arrived = new Promise<void>((resolve) => listener.listen('test_a', (p) => p === 'last' && resolve()))
      await notify(db, 'test_a', 'x')
      await notify(db, 'test_a', 'last')
      await arrived
      expect(got).toEqual(['1:x', '2:x', '1:last', '2:last'])
      expect(other).toEqual([])
      await expect(listener.listen('bad channel; drop', () => {})).rejects.toThrow(/invalid notification channel/)
    } finally {
      await listener.close()
      await db.close()
    }
  })
})
