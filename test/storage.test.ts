import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, migrate, type Database } from '../server/db.ts'
import { MemoryStorage, SqliteStorage, shouldCompact, DEFAULT_COMPACTION_LIMITS } from '../server/storage/index.ts'
import { runStorageContract } from './storage/contract.ts'
import { Writer, textOf } from './storage/ydoc.ts'
import { crashAfterAcks } from './storage/crash.ts'
import { planActivityRead } from '../shared/coord/activityPlan.ts'

const tempDirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'polyphony-storage-'))
  tempDirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

runStorageContract('memory', async () => {
  const storage = new MemoryStorage()
  return { storage, teardown: () => storage.close() }
})

runStorageContract(
  'sqlite',
  async () => {
    const file = join(tempDir(), 'data', 'polyphony.db')
    let db = openDatabase(file)
    let storage = new SqliteStorage(db)
    return {
      storage,
      reopen: async () => {
        await storage.close()
        db.close()
        db = openDatabase(file)
        storage = new SqliteStorage(db)
        return storage
      },
      teardown: async () => {
        await storage.close()
        db.close()
      },
    }
  },
  { persistent: true },
)

describe('openDatabase / migrate', () => {
  it('opens with WAL, synchronous=FULL, foreign keys and a busy timeout, creating the directory', () => {
    const db = openDatabase(join(tempDir(), 'nested', 'dir', 'x.db'))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0)
    db.close()
  })

  it('runs each named migration once, atomically', () => {
    const db = openDatabase(':memory:')
    expect(migrate(db, 'test/1', 'CREATE TABLE t (x INTEGER)')).toBe(true)
    expect(migrate(db, 'test/1', 'CREATE TABLE t (x INTEGER)')).toBe(false)
    // A failing script leaves neither its tables nor its bookkeeping row behind.
    expect(() => migrate(db, 'test/2', 'CREATE TABLE u (x INTEGER); CREATE TABLE t (x INTEGER)')).toThrow()
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'u'").get()).toBeUndefined()
    expect(migrate(db, 'test/2', 'CREATE TABLE u (x INTEGER)')).toBe(true)
    db.close()
  })
})

describe('SqliteStorage specifics', () => {
  let db: Database
  afterEach(() => db?.close())

  it('counts the writes folded before write counts were kept (migration storage/3-activity)', async () => {
    db = openDatabase(':memory:')
    const storage = new SqliteStorage(db)
    const at = (n: number) => 1_700_000_000_000 + n * 7_000
    await storage.append(
      'w/shared',
      [1, 2, 3, 4, 20].map((n) => ({ principal: n % 2 ? 'alice' : 'bob', clients: [n], at: at(n), data: new Uint8Array(n) })),
    )
    // Counted up to the snapshot (seq 3); the two after it are read one by one.
    await storage.compact('w/shared', new Writer('snap').snapshot(), 3)
    const plan = planActivityRead(at(0), at(30), 60_000)
    const counted = await storage.writeCounts('w/shared', plan)
    const newest = await storage.newestWrites('w/shared', at(0), at(30), 2)
    expect(db.prepare('SELECT SUM(updates) AS n FROM doc_activity WHERE granule_ms = 1000').get()).toEqual({ n: 3 })
    // The database as it was before: no counts, the migration not run.
    db.exec("DROP TABLE doc_activity; DELETE FROM migrations WHERE name = 'storage/3-activity'")
    const reopened = new SqliteStorage(db)
    expect(await reopened.writeCounts('w/shared', plan)).toEqual(counted)
    expect(await reopened.newestWrites('w/shared', at(0), at(30), 2)).toEqual(newest)
    expect(newest.entries.map((e) => e.seq)).toEqual([4, 5])
    expect(counted.reduce((n, c) => n + c.updates, 0)).toBe(5)
    expect(counted.reduce((n, c) => n + c.bytes, 0)).toBe(30)
  })

  it('rolls back a whole batch when a row fails inside the transaction', async () => {
    db = openDatabase(':memory:')
    const storage = new SqliteStorage(db)
    // Fault injection below validation: the second row of the batch fails in SQLite itself.
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON doc_updates WHEN NEW.principal = 'boom'
             BEGIN SELECT RAISE(ABORT, 'injected'); END`)
    const w = new Writer('alice')
    await storage.append('w/shared', w.insert('a'))
    const ok = w.insert('b')[0]
    await expect(storage.append('w/shared', [ok, { ...ok, principal: 'boom' }])).rejects.toThrow('injected')
    expect((await storage.load('w/shared')).updates.map((u) => u.seq)).toEqual([1])
    expect(await storage.append('w/shared', [ok])).toEqual([2])
  })

  it('group commit: appends from 200 rooms in one turn are one transaction; a failing one rejects alone', async () => {
    db = openDatabase(':memory:')
    const storage = new SqliteStorage(db)
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON doc_updates WHEN NEW.principal = 'boom'
             BEGIN SELECT RAISE(ABORT, 'injected'); END`)
    const w = new Writer('alice')
    const update = w.insert('a')
    const before = storage.stats().transactions
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => storage.append(`w${i}/shared`, i === 7 ? [{ ...update[0], principal: 'boom' }] : update)))
    expect(storage.stats().transactions - before).toBe(1)
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    expect(results[7].status).toBe('rejected')
    expect(results[8]).toEqual({ status: 'fulfilled', value: [1] })
    // The failed request used no seq: its room continues at 1.
    expect(await storage.append('w7/shared', update)).toEqual([1])
  })

  it('compaction NULLs the data of folded rows but keeps the rows', async () => {
    db = openDatabase(':memory:')
    const storage = new SqliteStorage(db)
    const w = new Writer('alice')
    await storage.append('w/shared', [...w.insert('a'), ...w.insert('b'), ...w.insert('c')])
    await storage.compact('w/shared', w.snapshot(), 2)
    const rows = db.prepare('SELECT seq, data IS NULL AS folded FROM doc_updates ORDER BY seq').all()
    expect(rows).toEqual([
      { seq: 1, folded: 1 },
      { seq: 2, folded: 1 },
      { seq: 3, folded: 0 },
    ])
  })

  it('loads a room with 100,000 small updates quickly (prints the time)', async () => {
    db = openDatabase(join(tempDir(), 'big.db'))
    const storage = new SqliteStorage(db)
    const w = new Writer('alice')
    const all = []
    for (let i = 0; i < 100_000; i++) all.push(...w.insert(i % 10 === 0 ? '\n' : 'x'))
    const t0 = performance.now()
    for (let i = 0; i < all.length; i += 1000) await storage.append('big/shared', all.slice(i, i + 1000))
    const t1 = performance.now()
    const state = await storage.load('big/shared')
    const t2 = performance.now()
    expect(state.updates.length).toBe(100_000)
    const text = textOf(state)
    const t3 = performance.now()
    expect(text).toBe(w.text.toString())
    console.log(`[sqlite] 100k updates: append ${(t1 - t0).toFixed(0)} ms (batches of 1000), load ${(t2 - t1).toFixed(0)} ms, apply to Y.Doc ${(t3 - t2).toFixed(0)} ms`)
  })

  it('after kill -9, every acknowledged seq is present on reopen', async () => {
    const file = join(tempDir(), 'crash.db')
    const { acked, ackedText } = await crashAfterAcks(file, 'sqlite')

    db = openDatabase(file)
    const state = await new SqliteStorage(db).load('crash/shared')
    const seqs = state.updates.map((u) => u.seq)
    // Everything acknowledged is there (possibly more: a commit can finish before its ack line).
    expect(seqs.slice(0, acked)).toEqual(Array.from({ length: acked }, (_, i) => i + 1))
    expect(textOf(state).startsWith(ackedText)).toBe(true)
  })
})

describe('shouldCompact', () => {
  const { maxUpdates, maxBytes } = DEFAULT_COMPACTION_LIMITS
  it('compacts once either the update count or the byte size reaches its limit', () => {
    expect(shouldCompact({ updatesSinceSnapshot: 0, bytesSinceSnapshot: 0 })).toBe(false)
    expect(shouldCompact({ updatesSinceSnapshot: maxUpdates - 1, bytesSinceSnapshot: maxBytes - 1 })).toBe(false)
    expect(shouldCompact({ updatesSinceSnapshot: maxUpdates, bytesSinceSnapshot: 0 })).toBe(true)
    expect(shouldCompact({ updatesSinceSnapshot: 2, bytesSinceSnapshot: maxBytes })).toBe(true)
  })
  it('never compacts a single update, however large', () => {
    expect(shouldCompact({ updatesSinceSnapshot: 1, bytesSinceSnapshot: 50 * maxBytes })).toBe(false)
  })
  it('takes custom limits', () => {
    expect(shouldCompact({ updatesSinceSnapshot: 10, bytesSinceSnapshot: 0 }, { maxUpdates: 10, maxBytes: 1e9 })).toBe(true)
  })
  it('while live, waits for one update per snapshotBytesPerUpdate bytes of the last snapshot (or its size in bytes)', () => {
    const perUpdate = DEFAULT_COMPACTION_LIMITS.snapshotBytesPerUpdate!
    const snapshotBytes = 4 * maxUpdates * perUpdate // a document large enough to stretch the interval 4×
    expect(shouldCompact({ updatesSinceSnapshot: maxUpdates, bytesSinceSnapshot: 0, snapshotBytes })).toBe(false)
    expect(shouldCompact({ updatesSinceSnapshot: 4 * maxUpdates - 1, bytesSinceSnapshot: 0, snapshotBytes })).toBe(false)
    expect(shouldCompact({ updatesSinceSnapshot: 4 * maxUpdates, bytesSinceSnapshot: 0, snapshotBytes })).toBe(true)
    const huge = 3 * maxBytes
    expect(shouldCompact({ updatesSinceSnapshot: 2, bytesSinceSnapshot: maxBytes, snapshotBytes: huge })).toBe(false)
    expect(shouldCompact({ updatesSinceSnapshot: 2, bytesSinceSnapshot: huge, snapshotBytes: huge })).toBe(true)
    // A small document keeps the fixed bounds.
    expect(shouldCompact({ updatesSinceSnapshot: maxUpdates, bytesSinceSnapshot: 0, snapshotBytes: 1000 })).toBe(true)
  })
  it('when the room closes, applies the fixed bounds whatever the snapshot size (a reload replays fewer than maxUpdates)', () => {
    const snapshotBytes = 100 * maxBytes
    expect(shouldCompact({ updatesSinceSnapshot: maxUpdates, bytesSinceSnapshot: 0, snapshotBytes, closing: true })).toBe(true)
    expect(shouldCompact({ updatesSinceSnapshot: maxUpdates - 1, bytesSinceSnapshot: 0, snapshotBytes, closing: true })).toBe(false)
    expect(shouldCompact({ updatesSinceSnapshot: 2, bytesSinceSnapshot: maxBytes, snapshotBytes, closing: true })).toBe(true)
  })
})
