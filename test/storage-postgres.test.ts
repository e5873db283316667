// DocumentStorage on PostgreSQL: the contract every backend passes, the ownership clauses only a
// store shared by several instances makes, and what is specific to Postgres (group commit).

import { afterEach, describe, expect, it } from 'vitest'
import { freshDatabase } from './helpers/postgres.ts'
import { openPostgres, type PgDatabase } from '../server/pg/PgDatabase.ts'
import { InstanceLease } from '../server/cluster/InstanceLease.ts'
import { PostgresStorage } from '../server/storage/PostgresStorage.ts'
import { runStorageContract } from './storage/contract.ts'
import { runOwnershipContract, type Instance } from './storage/ownershipContract.ts'
import { Writer, textOf } from './storage/ydoc.ts'
import { crashAfterAcks } from './storage/crash.ts'

/** One instance on `url`: its own pool, lease and storage, as a server on --database has. */
async function openInstance(url: string, instanceId: string, leaseMs = 5000): Promise<Instance & { db: PgDatabase; storage: PostgresStorage }> {
  const db = await openPostgres(url, { max: 4 })
  const lease = await InstanceLease.start({ db, instanceId, leaseMs, url: `http://${instanceId}.test` })
  const storage = await PostgresStorage.open({ db, instanceId })
  lease.onLost(() => storage.loseAll())
  let closed = false
  return {
    db,
    storage,
    lease,
    close: async () => {
      if (closed) return
      closed = true
      await lease.stop()
      await storage.close()
      await db.close()
    },
  }
}

runStorageContract(
  'postgres',
  async () => {
    const url = await freshDatabase('st')
    let instance = await openInstance(url, 'a')
    return {
      storage: instance.storage,
      reopen: async () => {
        await instance.close()
        instance = await openInstance(url, 'a')
        return instance.storage
      },
      teardown: () => instance.close(),
    }
  },
  { persistent: true },
)

runOwnershipContract('postgres', async () => {
  const url = await freshDatabase('so')
  return (instanceId, leaseMs) => openInstance(url, instanceId, leaseMs)
})

describe('PostgresStorage specifics', () => {
  const open: Array<{ close(): Promise<void> }> = []
  afterEach(async () => {
    for (const i of open.splice(0)) await i.close()
  })

  it('group commit: appends from 200 rooms in one turn are one transaction; a failing one rejects alone', async () => {
    const a = await openInstance(await freshDatabase('gc'), 'a')
    open.push(a)
    // Fault injection below validation: the database itself refuses one request's row.
    await a.db.query(`CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$ LANGUAGE plpgsql`)
    await a.db.query(`CREATE TRIGGER boom BEFORE INSERT ON doc_updates FOR EACH ROW WHEN (NEW.principal = 'boom') EXECUTE FUNCTION boom()`)
    const w = new Writer('alice')
    const update = w.insert('a')
    // Take the rooms first, so the appends below all join one turn.
    for (let i = 0; i < 200; i++) await a.storage.load(`w${i}/shared`)
    const before = a.storage.stats().transactions
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => a.storage.append(`w${i}/shared`, i === 7 ? [{ ...update[0], principal: 'boom' }] : update)))
    // The first attempt aborts on the injected row; the retry (a savepoint per request) commits the rest.
    expect(a.storage.stats().transactions - before).toBe(1)
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    expect(results[7]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringContaining('injected') }) })
    expect(results[8]).toEqual({ status: 'fulfilled', value: [1] })
    // The failed request used no seq: its room continues at 1.
    expect(await a.storage.append('w7/shared', update)).toEqual([1])
  })
  it('after kill -9, every acknowledged seq is present when the same instance loads again', async () => {
    const url = await freshDatabase('crash')
    const { acked, ackedText } = await crashAfterAcks(url, 'postgres')
    // The child was instance 'crash-child': the same id takes its room back without waiting for the lease.
    const again = await openInstance(url, 'crash-child')
    open.push(again)
    const state = await again.storage.load('crash/shared')
    const seqs = state.updates.map((u) => u.seq)
    // Everything acknowledged is there (possibly more: a commit can finish before its ack line).
    expect(seqs.slice(0, acked)).toEqual(Array.from({ length: acked }, (_, i) => i + 1))
    expect(textOf(state).startsWith(ackedText)).toBe(true)
  })
})
