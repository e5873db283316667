// Acceptance suite for VersionStore (server/history/VersionStore.ts). Every backend runs it;
// clause ids [VSn] name the contract clause each test checks.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { NewVersion, VersionStore } from '../../server/history/VersionStore.ts'

export interface VersionStoreFixture {
  /** A store keeping at most `maxPerRoom` versions per room. */
  open: (maxPerRoom?: number) => Promise<VersionStore>
  /** Opens the same data again (persistent backends only). */
  reopen?: () => Promise<VersionStore>
  /** A second instance's store on the same database (several-instance backends). */
  second?: () => Promise<VersionStore>
  teardown: () => Promise<void>
}

const version = (room: string, seq: number, docs: string[] = ['d1'], snapshot = new Uint8Array([seq & 255, 1, 2])): NewVersion => ({
  room,
  seq,
  at: 1_700_000_000_000 + seq,
  principal: 'alice',
  reason: 'request',
  label: `at ${seq}`,
  docs,
  snapshot,
})

export function runVersionStoreContract(name: string, setup: () => Promise<VersionStoreFixture>): void {
  describe(`VersionStore contract: ${name}`, () => {
    let fx: VersionStoreFixture
    beforeEach(async () => {
      fx = await setup()
    })
    afterEach(() => fx.teardown())

    it('[VS1] add numbers versions per room from 1 and returns the row with its size', async () => {
      const store = await fx.open()
      const a = await store.add(version('w/shared', 3, ['d1'], new Uint8Array(7)))
      const b = await store.add(version('w/shared', 5))
      expect(a).toMatchObject({ n: 1, seq: 3, bytes: 7, principal: 'alice', reason: 'request', label: 'at 3', docs: ['d1'] })
      expect(b.n).toBe(2)
    })

    it('[VS2] get returns the snapshot bytes exactly; unknown numbers are null', async () => {
      const store = await fx.open()
      const bytes = new Uint8Array([0, 255, 7, 9, 0])
      await store.add(version('w/shared', 1, ['d1'], bytes))
      expect((await store.get('w/shared', 1))?.snapshot).toEqual(bytes)
      expect(await store.get('w/shared', 2)).toBeNull()
      expect((await store.latest('w/shared'))?.n).toBe(1)
      expect(await store.latest('other/shared')).toBeNull()
    })

    it('[VS3] list is newest first, bounded by limit, filtered by document, without snapshots', async () => {
      const store = await fx.open()
      await store.add(version('w/shared', 1, ['a']))
      await store.add(version('w/shared', 2, ['b']))
      await store.add(version('w/shared', 3, ['a', 'b']))
      expect((await store.list('w/shared')).map((v) => v.n)).toEqual([3, 2, 1])
      expect((await store.list('w/shared', { limit: 2 })).map((v) => v.n)).toEqual([3, 2])
      expect((await store.list('w/shared', { doc: 'a' })).map((v) => v.n)).toEqual([3, 1])
      expect(await store.list('w/shared', { doc: 'zzz' })).toEqual([])
      expect((await store.list('w/shared'))[0]).not.toHaveProperty('snapshot')
      expect((await store.all('w/shared')).map((v) => v.n)).toEqual([1, 2, 3])
    })

    it('[VS4] rooms are independent: own numbers, own lists', async () => {
      const store = await fx.open()
      await store.add(version('a/shared', 1))
      await store.add(version('a/shared', 2))
      expect((await store.add(version('b/shared', 1))).n).toBe(1)
      expect(await store.list('b/shared')).toHaveLength(1)
    })

    it('[VS5] at most maxPerRoom versions per room: the oldest go, numbers are never reused', async () => {
      const store = await fx.open(3)
      for (let seq = 1; seq <= 5; seq++) await store.add(version('w/shared', seq))
      expect((await store.all('w/shared')).map((v) => v.n)).toEqual([3, 4, 5])
      expect((await store.add(version('w/shared', 6))).n).toBe(6)
      expect(await store.get('w/shared', 1)).toBeNull()
    })

    it('[VS6] versions survive a reopen (persistent backends)', async () => {
      if (!fx.reopen) return expect(fx.reopen).toBeUndefined()
      await (await fx.open()).add(version('w/shared', 9, ['x']))
      const again = await fx.reopen()
      expect(await again.get('w/shared', 1)).toMatchObject({ seq: 9, docs: ['x'] })
      expect((await again.add(version('w/shared', 10))).n).toBe(2)
    })

    it('[VS7][multi] two instances adding versions of one room at once never share a number', async () => {
      if (!fx.second) return expect(fx.second).toBeUndefined()
      const [a, b] = [await fx.open(), await fx.second()]
      const added = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).add(version('w/shared', i + 1))))
      expect(added.map((v) => v.n).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      expect((await b.all('w/shared')).map((v) => v.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    })
  })
}
