// Acceptance suite for DocumentStorage (server/storage/DocumentStorage.ts). Every backend
// runs it; clause ids [STn] name the contract clause each test checks.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import type { DocumentStorage } from '../../server/storage/DocumentStorage.ts'
import type { NewUpdate } from '../../server/storage/validate.ts'
import { Writer, mergeState, textOf } from './ydoc.ts'
import { planActivityRead } from '../../shared/coord/activityPlan.ts'
import { computeTeamMetrics, type WriteEntry } from '../../shared/coord/index.ts'
import { SERVER_PRINCIPAL } from '../../shared/model.ts'
import { openDatabase } from '../../server/db.ts'
import { SqliteAgentReportStore, SqliteTaskStore, teamMetricsFor } from '../../server/coord/index.ts'
import type { AttributionEntry, WriteCount } from '../../server/storage/DocumentStorage.ts'

export interface StorageFixture {
  storage: DocumentStorage
  /** Closes the current storage and opens the same data again (persistent backends only). */
  reopen?: () => Promise<DocumentStorage>
  teardown: () => Promise<void>
}

const raw = (n: number, principal = 'p'): NewUpdate => ({ principal, clients: [n], at: 1_700_000_000_000 + n, data: new Uint8Array([n & 255]) })

/** `persistent`: the backend keeps data across a reopen (its fixture provides `reopen`). */
export function runStorageContract(name: string, setup: () => Promise<StorageFixture>, { persistent = false } = {}): void {
  describe(`DocumentStorage contract: ${name}`, () => {
    let fx: StorageFixture
    let storage: DocumentStorage
    beforeEach(async () => {
      fx = await setup()
      storage = fx.storage
    })
    afterEach(async () => {
      await fx.teardown()
    })

    it('[ST1] append assigns increasing seqs per room, from 1, within and across batches', async () => {
      expect(await storage.append('w/shared', [raw(1), raw(2)])).toEqual([1, 2])
      expect(await storage.append('w/shared', [raw(3)])).toEqual([3])
      expect(await storage.append('w/shared', [raw(4), raw(5), raw(6)])).toEqual([4, 5, 6])
    })

    it('[ST2] rooms are independent: own seqs, own contents', async () => {
      const a = new Writer('alice')
      const b = new Writer('bob')
      expect(await storage.append('w/ns/alice', a.insert('alpha'))).toEqual([1])
      expect(await storage.append('w/ns/bob', b.insert('beta'))).toEqual([1])
      expect(await storage.append('w/ns/alice', a.insert('!'))).toEqual([2])
      expect(textOf(await storage.load('w/ns/alice'))).toBe('alpha!')
      expect(textOf(await storage.load('w/ns/bob'))).toBe('beta')
      expect((await storage.history('w/ns/bob')).map((h) => h.principal)).toEqual(['bob'])
    })

    it('[ST3] load returns every update in seq order with its attribution; applied, it rebuilds the document', async () => {
      const a = new Writer('alice')
      const b = new Writer('bob')
      const batches = [a.insert('Hello'), b.insert('world'), a.insert(', ', 5), b.delete(0, 1), a.insert('W', 0)]
      for (const batch of batches) await storage.append('w/shared', batch)
      const state = await storage.load('w/shared')
      expect(state.snapshot).toBeNull()
      expect(state.snapshotSeq).toBe(0)
      expect(state.updates.map((u) => u.seq)).toEqual([1, 2, 3, 4, 5])
      expect(state.updates.map((u) => u.principal)).toEqual(['alice', 'bob', 'alice', 'bob', 'alice'])
      expect(state.updates[1].clients).toEqual([b.doc.clientID])
      const flat = batches.flat()
      state.updates.forEach((u, i) => {
        expect(u.data).toBeInstanceOf(Uint8Array)
        expect(Array.from(u.data)).toEqual(Array.from(flat[i].data))
        expect(u.at).toBe(flat[i].at)
      })
      // Same content as both writers' documents merged.
      const expected = new Y.Doc()
      Y.applyUpdate(expected, a.snapshot())
      Y.applyUpdate(expected, b.snapshot())
      const merged = textOf(state)
      expect(merged).toBe(expected.getText('body').toString())
      expect(merged.length).toBeGreaterThan(0)
    })

    it('[ST4] load of an unknown room is empty', async () => {
      expect(await storage.load('nothing/shared')).toEqual({ snapshot: null, snapshotSeq: 0, updates: [] })
      expect(await storage.history('nothing/shared')).toEqual([])
    })

    it('[ST5] a batch is atomic: one invalid entry rejects the whole call and consumes no seq', async () => {
      await storage.append('w/shared', [raw(1)])
      const bad = { principal: 'p', clients: [1], at: 1, data: 'not bytes' } as unknown as NewUpdate
      await expect(storage.append('w/shared', [raw(2), raw(3), bad])).rejects.toThrow()
      await expect(storage.append('w/shared', [raw(2), { ...raw(3), principal: '' }])).rejects.toThrow()
      await expect(storage.append('w/shared', [raw(2), { ...raw(3), clients: [-1] }])).rejects.toThrow()
      const state = await storage.load('w/shared')
      expect(state.updates.map((u) => u.seq)).toEqual([1])
      expect(await storage.append('w/shared', [raw(2)])).toEqual([2])
    })

    it('[ST6] an empty batch stores nothing and creates no room', async () => {
      expect(await storage.append('w/shared', [])).toEqual([])
      expect(await storage.rooms()).toEqual([])
      expect((await storage.load('w/shared')).updates).toEqual([])
    })

    it('[ST7] stored data is a copy: the caller may reuse its buffer after append resolves', async () => {
      const u = raw(7)
      await storage.append('w/shared', [u])
      u.data[0] = 99
      u.clients.push(5)
      const [stored] = (await storage.load('w/shared')).updates
      expect(Array.from(stored.data)).toEqual([7])
      expect(stored.clients).toEqual([7])
    })

    it('[ST8] after compaction, load = snapshot + later updates, with the same content', async () => {
      const a = new Writer('alice')
      for (const word of ['one ', 'two ', 'three ']) await storage.append('w/shared', a.insert(word))
      const before = await storage.load('w/shared')
      await storage.compact('w/shared', mergeState(before), 3)
      await storage.append('w/shared', a.insert('four'))
      const after = await storage.load('w/shared')
      expect(after.snapshotSeq).toBe(3)
      expect(after.snapshot).toBeInstanceOf(Uint8Array)
      expect(after.updates.map((u) => u.seq)).toEqual([4])
      expect(textOf(after)).toBe('one two three four')
    })

    it('[ST9] compaction keeps the attribution of folded updates readable in history', async () => {
      const a = new Writer('alice')
      const b = new Writer('bob')
      const batches = [a.insert('a'), b.insert('bb'), a.insert('ccc')]
      for (const batch of batches) await storage.append('w/shared', batch)
      const full = await storage.history('w/shared')
      await storage.compact('w/shared', mergeState(await storage.load('w/shared')), 2)
      const kept = await storage.history('w/shared')
      expect(kept).toEqual(full)
      expect(kept.map((h) => [h.seq, h.principal, h.bytes])).toEqual(batches.flat().map((u, i) => [i + 1, u.principal, u.data.byteLength]))
      expect(kept[1].clients).toEqual([b.doc.clientID])
    })

    it('[ST10] seqs continue after compaction, and a room can be compacted again', async () => {
      const a = new Writer('alice')
      await storage.append('w/shared', [...a.insert('x'), ...a.insert('y')])
      await storage.compact('w/shared', mergeState(await storage.load('w/shared')), 2)
      expect(await storage.append('w/shared', a.insert('z'))).toEqual([3])
      await storage.compact('w/shared', mergeState(await storage.load('w/shared')), 3)
      const state = await storage.load('w/shared')
      expect(state.snapshotSeq).toBe(3)
      expect(state.updates).toEqual([])
      expect(textOf(state)).toBe('xyz')
      expect(await storage.append('w/shared', a.insert('!'))).toEqual([4])
    })

    it('[ST11] a stale compaction is ignored; one beyond the last seq is rejected', async () => {
      const a = new Writer('alice')
      await storage.append('w/shared', [...a.insert('x'), ...a.insert('y'), ...a.insert('z')])
      const at1 = mergeState({ snapshot: null, snapshotSeq: 0, updates: (await storage.load('w/shared')).updates.slice(0, 1) })
      await storage.compact('w/shared', mergeState(await storage.load('w/shared')), 3)
      await storage.compact('w/shared', at1, 1)
      const state = await storage.load('w/shared')
      expect(state.snapshotSeq).toBe(3)
      expect(textOf(state)).toBe('xyz')
      await expect(storage.compact('w/shared', a.snapshot(), 4)).rejects.toThrow()
      await expect(storage.compact('empty/shared', a.snapshot(), 1)).rejects.toThrow()
    })

    it('[ST12] history pages with afterSeq and limit', async () => {
      await storage.append(
        'w/shared',
        [1, 2, 3, 4, 5].map((n) => raw(n, `p${n}`)),
      )
      const page = await storage.history('w/shared', { afterSeq: 1, limit: 2 })
      expect(page).toEqual([
        { seq: 2, principal: 'p2', clients: [2], at: raw(2).at, bytes: 1 },
        { seq: 3, principal: 'p3', clients: [3], at: raw(3).at, bytes: 1 },
      ])
      expect((await storage.history('w/shared', { afterSeq: 4 })).map((h) => h.seq)).toEqual([5])
      expect(await storage.history('w/shared', { afterSeq: 5 })).toEqual([])
    })

    it('[ST13] rooms() lists every room with stored data', async () => {
      await storage.append('a/shared', [raw(1)])
      await storage.append('b/ns/x', [raw(1)])
      await storage.append('a/shared', [raw(2)])
      expect((await storage.rooms()).sort()).toEqual(['a/shared', 'b/ns/x'])
    })

    it('[ST14] concurrent appends to one room get distinct, contiguous seqs', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.append('w/shared', [raw(i), raw(i)])))
      expect(results.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
      for (const pair of results) expect(pair[1]).toBe(pair[0] + 1)
    })

    it('[ST15] seeded random edits, batches and compactions load back to the same text', async () => {
      const seed = Number(process.env.STORAGE_SEED ?? Date.now() % 1_000_000)
      console.log(`[ST15] ${name} seed=${seed} (rerun with STORAGE_SEED=${seed})`)
      const gen = prng.create(seed)
      const writers = [new Writer('alice'), new Writer('bob'), new Writer('carol')]
      const room = 'fuzz/shared'
      let lastSeq = 0
      for (let step = 0; step < 200; step++) {
        const w = prng.oneOf(gen, writers)
        // Each writer first catches up with the stored state, as a synced client would.
        Y.applyUpdate(w.doc, mergeState(await storage.load(room)))
        w.take()
        const batch: NewUpdate[] = []
        for (let k = prng.int32(gen, 1, 3); k > 0; k--) {
          batch.push(
            ...(prng.bool(gen) || w.text.length === 0
              ? w.insert(prng.word(gen, 1, 6), prng.int32(gen, 0, w.text.length))
              : w.delete(prng.int32(gen, 0, w.text.length - 1), prng.int32(gen, 1, 4))),
          )
        }
        const seqs = await storage.append(room, batch)
        expect(seqs).toEqual(batch.map((_, i) => lastSeq + i + 1))
        lastSeq += batch.length
        if (prng.int32(gen, 0, 9) === 0) {
          const state = await storage.load(room)
          await storage.compact(room, mergeState(state), prng.int32(gen, Math.max(1, state.snapshotSeq), lastSeq))
        }
        if (step % 50 === 49 && fx.reopen) storage = await fx.reopen()
      }
      const reference = new Writer('ref')
      for (const w of writers) Y.applyUpdate(reference.doc, w.snapshot())
      expect(textOf(await storage.load(room))).toBe(reference.text.toString())
      expect((await storage.history(room)).length).toBe(lastSeq)
    })

    it('[ST17] writeCounts per bucket equal counting the history of the range, whatever the range and buckets (seeded)', async () => {
      const seed = Number(process.env.STORAGE_SEED ?? Date.now() % 1_000_000)
      console.log(`[ST17] ${name} seed=${seed} (rerun with STORAGE_SEED=${seed})`)
      const gen = prng.create(seed)
      const base = 1_700_000_040_000
      const rooms = ['c/shared', 'c/ns/bob']
      for (let step = 0; step < 60; step++) {
        const room = prng.oneOf(gen, rooms)
        // Times across ten minutes, not in seq order, several in one ms; sizes vary.
        const batch = Array.from({ length: prng.int32(gen, 1, 8) }, (): NewUpdate => {
          const at = base + (prng.bool(gen) ? prng.int32(gen, 0, 600_000) : prng.int32(gen, 0, 40) * 15_000)
          return { principal: prng.oneOf(gen, ['alice', 'bob', 'carol']), clients: [1], at, data: new Uint8Array(prng.int32(gen, 1, 40)) }
        })
        await storage.append(room, batch)
        // Compactions fold updates into the counts; the ones after them are counted one by one.
        if (prng.int32(gen, 0, 7) === 0) await storage.compact(room, new Writer('snap').snapshot(), Math.max(1, (await storage.history(room)).length - prng.int32(gen, 0, 3)))
        if (step === 40 && fx.reopen) storage = await fx.reopen()
      }
      const perBucket = (plan: { since: number; bucketMs: number }, counts: WriteCount[]) => {
        const out = new Map<string, { updates: number; bytes: number }>()
        for (const c of counts) {
          const key = `${c.principal} ${plan.since + Math.floor((c.at - plan.since) / plan.bucketMs) * plan.bucketMs}`
          const sum = out.get(key) ?? { updates: 0, bytes: 0 }
          out.set(key, { updates: sum.updates + c.updates, bytes: sum.bytes + c.bytes })
        }
        return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : 1)))
      }
      for (let q = 0; q < 25; q++) {
        const since = base - 5_000 + prng.int32(gen, 0, 300_000)
        const until = since + prng.int32(gen, 1, 400_000)
        const bucketMs = prng.oneOf(gen, [1_000, 7_000, 60_000, 3_600_000, 86_400_000])
        const plan = planActivityRead(since, until, bucketMs)
        for (const room of rooms) {
          const entries = (await storage.history(room)).filter((e) => e.at >= since && e.at < until)
          const expected = perBucket(
            plan,
            entries.map((e) => ({ principal: e.principal, at: e.at, updates: 1, bytes: e.bytes })),
          )
          expect(perBucket(plan, await storage.writeCounts(room, plan)), `${room} [${since}, ${until}) by ${bucketMs}`).toEqual(expected)
        }
      }
      expect(await storage.writeCounts('none/shared', planActivityRead(base, base + 60_000, 60_000))).toEqual([])
    })

    it('[ST18] newestWrites: every entry of [from, until) in seq order, at most limit; from is since unless the range holds more (seeded)', async () => {
      const seed = Number(process.env.STORAGE_SEED ?? Date.now() % 1_000_000)
      console.log(`[ST18] ${name} seed=${seed} (rerun with STORAGE_SEED=${seed})`)
      const gen = prng.create(seed)
      const base = 1_700_000_040_000
      for (let step = 0; step < 40; step++) {
        // Times over three minutes, not in seq order, bursts within one second.
        const batch = Array.from({ length: prng.int32(gen, 1, 6) }, (): NewUpdate => {
          const at = base + (prng.bool(gen) ? prng.int32(gen, 0, 180_000) : 61_000 + prng.int32(gen, 0, 999))
          return { principal: prng.oneOf(gen, ['alice', 'bob']), clients: [1], at, data: new Uint8Array(3) }
        })
        const seqs = await storage.append('w/shared', batch)
        if (step % 15 === 14) await storage.compact('w/shared', new Writer('snap').snapshot(), seqs[0])
      }
      const all: AttributionEntry[] = await storage.history('w/shared')
      for (let q = 0; q < 40; q++) {
        const since = base - 3_000 + prng.int32(gen, 0, 150_000)
        const until = since + prng.int32(gen, 1, 200_000)
        const limit = prng.int32(gen, 1, 80)
        const { from, entries } = await storage.newestWrites('w/shared', since, until, limit)
        const label = `[${since}, ${until}) limit ${limit} → from ${from}`
        // A later whole second, or `until` itself when the newest sub-second piece alone holds more.
        expect(from >= since && from <= until && (from === since || from === until || from % 1000 === 0), label).toBe(true)
        expect(entries, label).toEqual(all.filter((e) => e.at >= from && e.at < until).map(({ seq, principal, at, bytes }) => ({ seq, principal, at, bytes })))
        expect(entries.length, label).toBeLessThanOrEqual(limit)
        if (all.filter((e) => e.at >= since && e.at < until).length <= limit) expect(from, label).toBe(since)
      }
      await expect(storage.newestWrites('w/shared', base, base + 1, 0)).rejects.toThrow(/limit/)
    })

    it('[ST19] team metrics from this store equal team metrics from the whole history; beyond the read bound, exact from coveredSince (seeded)', async () => {
      const seed = Number(process.env.STORAGE_SEED ?? Date.now() % 1_000_000)
      console.log(`[ST19] ${name} seed=${seed} (rerun with STORAGE_SEED=${seed})`)
      const gen = prng.create(seed)
      const base = 1_700_000_100_000
      // Readable and hidden rooms of workspace m, its task room (server writes), another workspace.
      const rooms = ['m/shared', 'm/ns/alice', 'm/review/bob', 'm/ns/carol', 'm/tasks', 'other/shared']
      const readable = (room: string) => room !== 'm/ns/carol'
      let t = base
      for (let step = 0; step < 80; step++) {
        const room = prng.oneOf(gen, rooms)
        const batch = Array.from({ length: prng.int32(gen, 1, 4) }, (): NewUpdate => {
          // Gaps from 0 to 4 s, so stretches and concurrent writes happen at the default window.
          t += prng.int32(gen, 0, 4_000)
          const principal = room === 'm/tasks' || prng.int32(gen, 0, 9) === 0 ? SERVER_PRINCIPAL : prng.oneOf(gen, ['alice', 'bob', 'carol'])
          return { principal, clients: [1], at: t, data: new Uint8Array(prng.int32(gen, 1, 30)) }
        })
        const seqs = await storage.append(room, batch)
        if (prng.int32(gen, 0, 9) === 0) await storage.compact(room, new Writer('snap').snapshot(), seqs.at(-1)!)
      }
      const db = openDatabase(':memory:')
      const sources = { storage, store: new SqliteTaskStore(db), reports: new SqliteAgentReportStore(db) }
      const everything: WriteEntry[] = []
      for (const room of rooms.filter(readable)) for (const e of await storage.history(room)) everything.push({ room, principal: e.principal, at: e.at, bytes: e.bytes })
      const reference = (q: { since: number; until: number; bucketMs: number; windowMs: number }, writes = everything) =>
        computeTeamMetrics({ workspace: 'm', writes, claims: [], flow: [], reports: [], tasks: [], ...q, exclude: [SERVER_PRINCIPAL] })
      try {
        for (let i = 0; i < 12; i++) {
          const since = base - 2_000 + prng.int32(gen, 0, t - base)
          const q = {
            since,
            until: since + prng.int32(gen, 1, t - base),
            bucketMs: prng.oneOf(gen, [1_000, 5_000, 60_000, 3_600_000]),
            windowMs: prng.oneOf(gen, [0, 1_000, 2_000, 10_000]),
          }
          expect(await teamMetricsFor('m', q, sources, readable), JSON.stringify(q)).toEqual(reference(q))
          // Bound to 3 writes per room: each room's figures are those of the range from its coveredSince.
          const bounded = await teamMetricsFor('m', q, sources, readable, { total: 3, perRoom: 3 })
          expect(bounded.timeline).toEqual(reference(q).timeline)
          for (const d of bounded.concurrentWrites.byDocument) {
            const from = d.coveredSince ?? q.since
            const { coveredSince: _, ...figures } = d
            expect(figures).toEqual(reference({ ...q, since: from }).concurrentWrites.byDocument.find((r) => r.room === d.room))
            expect(d.updates).toBeLessThanOrEqual(3)
          }
        }
      } finally {
        db.close()
      }
    })

    // Only persistent backends make this promise; an in-memory one is not asked to.
    if (persistent)
      it('[ST16] with reopen: updates, snapshot, history and seq counters survive', async () => {
        if (!fx.reopen) throw new Error(`${name} is declared persistent but its fixture has no reopen`)
        const a = new Writer('alice')
        await storage.append('w/shared', [...a.insert('kept '), ...a.insert('in ')])
        await storage.compact('w/shared', mergeState(await storage.load('w/shared')), 2)
        await storage.append('w/shared', a.insert('snapshot and log'))
        await storage.append('w/ns/alice', [raw(1, 'alice')])
        const history = await storage.history('w/shared')
        storage = await fx.reopen()
        const state = await storage.load('w/shared')
        expect(state.snapshotSeq).toBe(2)
        expect(textOf(state)).toBe('kept in snapshot and log')
        expect(await storage.history('w/shared')).toEqual(history)
        expect((await storage.rooms()).sort()).toEqual(['w/ns/alice', 'w/shared'])
        expect(await storage.append('w/shared', a.insert('.'))).toEqual([4])
      })
  })
}
