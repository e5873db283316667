import { afterEach, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { openDatabase, type Database } from '../server/db.ts'
import { SqliteWorkerStorage } from '../server/storage/index.ts'
import { WRITER_URL } from '../server/storage/SqliteWorkerStorage.ts'
import type { NewUpdate } from '../server/storage/validate.ts'
import { runStorageContract } from './storage/contract.ts'
import { Writer, textOf } from './storage/ydoc.ts'

const tempDirs: string[] = []
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'polyphony-storage-worker-'))
  tempDirs.push(dir)
  return join(dir, 'data', 'polyphony.db')
}
const open: Array<{ storage: SqliteWorkerStorage; db: Database }> = []
function openStorage(file = tempFile(), writer?: URL): { storage: SqliteWorkerStorage; db: Database; file: string } {
  const db = openDatabase(file)
  const storage = new SqliteWorkerStorage(db, { writer })
  open.push({ storage, db })
  return { storage, db, file }
}
afterEach(async () => {
  for (const { storage, db } of open.splice(0)) {
    await storage.close()
    db.close()
  }
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const raw = (n: number, principal = 'p'): NewUpdate => ({ principal, clients: [n], at: 1_700_000_000_000 + n, data: new Uint8Array([n & 255]) })

runStorageContract('sqlite-worker', async () => {
  const file = tempFile()
  let db = openDatabase(file)
  let storage = new SqliteWorkerStorage(db)
  return {
    storage,
    reopen: async () => {
      await storage.close()
      db.close()
      db = openDatabase(file)
      storage = new SqliteWorkerStorage(db)
      return storage
    },
    teardown: async () => {
      await storage.close()
      db.close()
    },
  }
}, { persistent: true })

describe('SqliteWorkerStorage specifics', () => {
  it('group commit: appends from 200 rooms in one turn are one transaction', async () => {
    const { storage, db } = openStorage()
    await storage.append('warmup/shared', [raw(0)])
    const before = storage.stats().transactions
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => storage.append(`r${i}/shared`, [raw(i), raw(i + 1)])))
    expect(results).toEqual(Array.from({ length: 200 }, () => [1, 2]))
    expect(storage.stats().transactions - before).toBe(1)
    expect(storage.stats().inFlight).toBe(0)
    // All of it is readable on the main connection once resolved.
    expect((await storage.rooms()).length).toBe(201)
    expect(db.prepare('SELECT COUNT(*) AS n FROM doc_updates').get()).toEqual({ n: 401 })
  })

  it('a failing request in a shared transaction rejects only its own caller', async () => {
    const { storage, db } = openStorage()
    // Fault injection below validation: SQLite itself refuses the row (on the writer's connection too).
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON doc_updates WHEN NEW.principal = 'boom'
             BEGIN SELECT RAISE(ABORT, 'injected'); END`)
    const before = storage.stats().transactions
    const [a1, aBoom, b1, a2] = await Promise.allSettled([
      storage.append('a/shared', [raw(1), raw(2)]),
      storage.append('a/shared', [raw(3), raw(4, 'boom')]),
      storage.append('b/shared', [raw(1)]),
      storage.append('a/shared', [raw(5)]),
    ])
    expect(storage.stats().transactions - before).toBe(1)
    expect(a1).toEqual({ status: 'fulfilled', value: [1, 2] })
    expect(aBoom.status).toBe('rejected')
    expect(String((aBoom as PromiseRejectedResult).reason)).toContain('injected')
    expect(b1).toEqual({ status: 'fulfilled', value: [1] })
    // The failed call consumed no seq, and nothing of it is stored.
    expect(a2).toEqual({ status: 'fulfilled', value: [3] })
    expect((await storage.load('a/shared')).updates.map((u) => [u.seq, u.clients[0]])).toEqual([[1, 1], [2, 2], [3, 5]])
  })

  it('compaction is ordered with appends of the same turn', async () => {
    const { storage } = openStorage()
    const w = new Writer('alice')
    await storage.append('w/shared', [...w.insert('a'), ...w.insert('b')])
    const snap = w.snapshot()
    const [seqs] = await Promise.all([storage.append('w/shared', w.insert('c')), storage.compact('w/shared', snap, 2)])
    expect(seqs).toEqual([3])
    const state = await storage.load('w/shared')
    expect([state.snapshotSeq, state.updates.map((u) => u.seq), textOf(state)]).toEqual([2, [3], 'abc'])
    // Beyond the last seq: rejected by the writer, with the validation's error type.
    await expect(storage.compact('w/shared', snap, 4)).rejects.toThrow(RangeError)
  })

  it('close() waits for writes already asked for, then refuses new ones', async () => {
    const { storage, db, file } = openStorage()
    const pending = Array.from({ length: 50 }, (_, i) => storage.append('w/shared', [raw(i)]))
    await storage.close()
    expect((await Promise.all(pending)).flat()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    await expect(storage.append('w/shared', [raw(1)])).rejects.toThrow('closed')
    db.close()
    open.splice(0)
    const again = openStorage(file).storage
    expect(await again.append('w/shared', [raw(51)])).toEqual([51])
  })

  it('a crashed writer rejects every in-flight and later write with a clear error', async () => {
    // The real writer, plus a listener that kills the thread when asked to write room 'crash/now'
    // (after the real one queued the request, before it commits).
    const crashing = new URL(
      `data:text/javascript,${encodeURIComponent(`
        import { parentPort } from 'node:worker_threads'
        import ${JSON.stringify(WRITER_URL.href)}
        parentPort.on('message', (m) => { if (m.type === 'requests' && m.requests.some((r) => r.room === 'crash/now')) process.exit(7) })
      `)}`,
    )
    const { storage } = openStorage(tempFile(), crashing)
    expect(await storage.append('ok/shared', [raw(1)])).toEqual([1])
    const inFlight = [storage.append('ok/shared', [raw(2)]), storage.append('crash/now', [raw(1)])]
    for (const p of inFlight) await expect(p).rejects.toThrow(/SQLite writer thread exited \(code 7\)/)
    await expect(storage.append('ok/shared', [raw(3)])).rejects.toThrow(/SQLite writer thread exited/)
    expect(storage.stats().inFlight).toBe(0)
    // Reads still work on the main connection; the crashed batch never committed.
    expect((await storage.load('ok/shared')).updates.map((u) => u.seq)).toEqual([1])
  })

  it('after kill -9, every acknowledged seq of every room is present on reopen', async () => {
    const file = tempFile()
    // Three rooms append concurrently (so commits are shared), each printing `ack <room> <seq> <i>`.
    const child = `
      import { openDatabase } from ${JSON.stringify(new URL('../server/db.ts', import.meta.url).href)}
      import { SqliteWorkerStorage } from ${JSON.stringify(new URL('../server/storage/SqliteWorkerStorage.ts', import.meta.url).href)}
      import { Writer } from ${JSON.stringify(new URL('./storage/ydoc.ts', import.meta.url).href)}
      const storage = new SqliteWorkerStorage(openDatabase(process.argv[1]))
      await Promise.all([0, 1, 2].map(async (r) => {
        const writer = new Writer('crash-child')
        for (let i = 1; i <= 1000; i++) {
          const [seq] = await storage.append('crash/' + r, writer.insert(i + ';'))
          process.stdout.write('ack ' + r + ' ' + seq + ' ' + i + '\\n')
        }
      }))
      process.stdout.write('done\\n')
    `
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child, file], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.on('exit', (code, signal) => resolve(signal ?? code)))
    const acked = [0, 0, 0]
    const texts = ['', '', '']
    let total = 0
    const killAt = 600 + Math.floor(Math.random() * 900)
    for await (const line of createInterface({ input: proc.stdout! })) {
      const m = /^ack (\d) (\d+) (\d+)$/.exec(line)
      if (!m) continue
      const r = Number(m[1])
      expect(Number(m[2])).toBe(acked[r] + 1)
      acked[r] = Number(m[2])
      texts[r] += `${m[3]};`
      if (++total === killAt) proc.kill('SIGKILL')
    }
    expect(await exited).toBe('SIGKILL')
    console.log(`[sqlite-worker] child killed after ${total} acknowledged appends (target ${killAt}), per room ${acked.join('/')}`)
    expect(total).toBeGreaterThanOrEqual(killAt)
    expect(total).toBeLessThan(3000)

    const { storage } = openStorage(file)
    for (const r of [0, 1, 2]) {
      const state = await storage.load(`crash/${r}`)
      const seqs = state.updates.map((u) => u.seq)
      // Everything acknowledged is there (possibly more: a commit can finish before its ack line).
      expect(seqs.slice(0, acked[r])).toEqual(Array.from({ length: acked[r] }, (_, i) => i + 1))
      expect(textOf(state).startsWith(texts[r])).toBe(true)
    }
  })
})
