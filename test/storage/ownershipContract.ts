// Room ownership clauses [SOn] of DocumentStorage (server/storage/ownership.ts): only a store
// several instances share makes them, so only Postgres runs them (test/storage-postgres.test.ts).
// Each clause opens two or three instances on one fresh database.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DocumentStorage } from '../../server/storage/DocumentStorage.ts'
import { Fenced, OwnedElsewhere } from '../../server/storage/ownership.ts'
import { waitFor } from '../helpers/wait.ts'
import { Writer, mergeState, textOf } from './ydoc.ts'

export interface Instance {
  storage: DocumentStorage
  lease: {
    /** Stops heartbeating: the lease lapses leaseMs later (a paused or cut-off instance). */
    stop(): Promise<void>
    onLost(fn: () => void): void
  }
  close(): Promise<void>
}

/** `setup` makes a fresh shared database and returns how to open an instance on it. */
export type OpenInstance = (instanceId: string, leaseMs?: number) => Promise<Instance>

/** Long enough that a live instance's lease never lapses on a loaded machine; short enough to wait out. */
const LEASE_MS = 1000

export function runOwnershipContract(name: string, setup: () => Promise<OpenInstance>): void {
  describe(`DocumentStorage ownership contract: ${name}`, () => {
    let openInstance: OpenInstance
    const opened: Instance[] = []
    const open = async (id: string, leaseMs = LEASE_MS): Promise<Instance> => {
      const i = await openInstance(id, leaseMs)
      opened.push(i)
      return i
    }
    beforeEach(async () => {
      openInstance = await setup()
    })
    afterEach(async () => {
      for (const i of opened.splice(0)) await i.close()
    })

    /** Loads `room` on `instance` as soon as the room's owner lease lets it (polls the refusal). */
    async function takeOver(instance: Instance, room: string) {
      let state: Awaited<ReturnType<DocumentStorage['load']>> | null = null
      await waitFor(
        async () => {
          try {
            state = await instance.storage.load(room)
            return true
          } catch (err) {
            if (err instanceof OwnedElsewhere) return false
            throw err
          }
        },
        `${room} to be taken over`,
        10_000,
      )
      return state!
    }

    it('[SO1] loading a room takes it: another live instance is refused with OwnedElsewhere naming the owner and its URL', async () => {
      const a = await open('a', 60_000)
      const b = await open('b', 60_000)
      const w = new Writer('alice')
      await a.storage.load('w/shared')
      await a.storage.append('w/shared', w.insert('mine'))
      const refused = await b.storage.load('w/shared').catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(OwnedElsewhere)
      expect(refused).toMatchObject({ room: 'w/shared', owner: 'a', url: 'http://a.test' })
      // Appending without loading takes the room too, so it is refused the same way.
      await expect(b.storage.append('w/shared', w.insert('!'))).rejects.toBeInstanceOf(OwnedElsewhere)
      // A room nobody holds is B's to take.
      expect(textOf(await b.storage.load('w/other'))).toBe('')
      expect(textOf(await a.storage.load('w/shared'))).toBe('mine')
    })

    it('[SO2] fencing: after a lapsed owner is taken over, its appends are refused, absent everywhere, and it may load again only once the successor lapses', async () => {
      const a = await open('a')
      const b = await open('b')
      const w = new Writer('alice')
      await a.storage.load('w/shared')
      expect(await a.storage.append('w/shared', w.insert('before '))).toEqual([1])
      await a.lease.stop()
      // B waits out A's lease (database clock), then takes the room with a new epoch.
      const loaded = await takeOver(b, 'w/shared')
      expect(textOf(loaded)).toBe('before ')
      const stale = w.insert('stale')
      await expect(a.storage.append('w/shared', stale)).rejects.toBeInstanceOf(Fenced)
      // Refused for good: it does not come back on retry either.
      await expect(a.storage.append('w/shared', stale)).rejects.toBeInstanceOf(Fenced)
      const after = await b.storage.load('w/shared')
      expect(after.updates.map((u) => u.seq)).toEqual([1])
      expect(textOf(after)).toBe('before ')
      expect((await b.storage.history('w/shared')).map((h) => h.seq)).toEqual([1])
      const other = new Writer('bob')
      expect(await b.storage.append('w/shared', other.insert('after'))).toEqual([2])
      // A cannot take the room back while B is alive ...
      await expect(a.storage.load('w/shared')).rejects.toMatchObject({ owner: 'b' })
      await b.lease.stop()
      // ... and can once B's lease lapses; then B is the one fenced.
      const back = await takeOver(a, 'w/shared')
      expect(back.updates.map((u) => u.principal)).toEqual(['alice', 'bob'])
      await expect(b.storage.append('w/shared', other.insert('!'))).rejects.toBeInstanceOf(Fenced)
      expect(await a.storage.append('w/shared', w.insert('again'))).toEqual([3])
    })

    it('[SO3] a released room can be taken at once by another instance; the releaser is then refused', async () => {
      const a = await open('a', 60_000)
      const b = await open('b', 60_000)
      const w = new Writer('alice')
      await a.storage.load('w/shared')
      await a.storage.append('w/shared', w.insert('handed over'))
      await a.storage.release!('w/shared')
      expect(textOf(await b.storage.load('w/shared'))).toBe('handed over')
      await expect(a.storage.append('w/shared', w.insert('!'))).rejects.toMatchObject({ owner: 'b' })
      // Releasing a room one no longer holds changes nothing for its owner.
      await a.storage.release!('w/shared')
      expect(await b.storage.append('w/shared', w.insert('?'))).toEqual([2])
    })

    it('[SO4] in one group commit, a fenced append rejects alone: the other rooms of the batch are stored', async () => {
      const a = await open('a')
      const b = await open('b')
      const w = new Writer('alice')
      for (const room of ['r1/shared', 'r2/shared']) {
        await a.storage.load(room)
        await a.storage.append(room, w.insert(room))
      }
      await a.lease.stop()
      await takeOver(b, 'r1/shared')
      const [r1, r2] = await Promise.allSettled([a.storage.append('r1/shared', w.insert('x')), a.storage.append('r2/shared', w.insert('y'))])
      expect(r1.status === 'rejected' && r1.reason).toBeInstanceOf(Fenced)
      expect(r2).toEqual({ status: 'fulfilled', value: [2] })
      expect((await b.storage.history('r1/shared')).length).toBe(1)
    })

    it('[SO5] a fenced instance cannot compact the room', async () => {
      const a = await open('a')
      const b = await open('b')
      const w = new Writer('alice')
      await a.storage.load('w/shared')
      await a.storage.append('w/shared', [...w.insert('one '), ...w.insert('two')])
      await a.lease.stop()
      await takeOver(b, 'w/shared')
      await expect(a.storage.compact('w/shared', w.snapshot(), 2)).rejects.toBeInstanceOf(Fenced)
      const state = await b.storage.load('w/shared')
      expect(state.snapshotSeq).toBe(0)
      await b.storage.compact('w/shared', mergeState(state), 2)
      expect(textOf(await b.storage.load('w/shared'))).toBe('one two')
    })

    it('[SO6] a heartbeat that finds its own lease lapsed reports it; the instance then writes only to rooms it loads again', async () => {
      const a = await open('a', 300)
      const w = new Writer('alice')
      let lost = 0
      a.lease.onLost(() => lost++)
      await a.storage.load('w/shared')
      await a.storage.append('w/shared', w.insert('x'))
      // Block the event loop past the lease, as a paused process would be.
      const until = Date.now() + 900
      while (Date.now() < until) {
        /* paused */
      }
      await waitFor(() => lost > 0, 'the heartbeat to notice the lapsed lease')
      await expect(a.storage.append('w/shared', w.insert('y'))).rejects.toBeInstanceOf(Fenced)
      expect((await a.storage.load('w/shared')).updates).toHaveLength(1)
      expect(await a.storage.append('w/shared', w.insert('y'))).toEqual([2])
    })
  })
}
