// [core] The in-process harness (test/helpers/memoryCore.ts): the real core on the real
// SQLite store, clients over memory sockets, time from a fake clock. Sync, refusal of
// read-only writes, a hostile frame closing only its own connection, a slow reader cut,
// idle unloading and a restart from storage, all without sockets or wall-clock waits.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startMemoryCore, type MemoryCore } from './helpers/memoryCore.ts'
import { CLOSE } from '../shared/wire/index.ts'

let harness: MemoryCore | null = null
afterEach(async () => {
  await harness?.close()
  harness = null
})

describe('memory core', () => {
  it('two clients in a room converge, and a late one receives the state', async () => {
    harness = startMemoryCore()
    const a = harness.client('team/shared', 'alice')
    const b = harness.client('team/shared', 'bob')
    await harness.settle()
    expect(a.synced && b.synced).toBe(true)
    a.text().insert(0, 'hello ')
    b.text().insert(0, 'world')
    await harness.settle()
    expect(a.text().toString()).toBe(b.text().toString())
    expect(a.text().length).toBe(11)
    const late = harness.client('team/shared', 'rita')
    await harness.settle()
    expect(late.text().toString()).toBe(a.text().toString())
  })

  it('a read-only client is told its update was refused and the room is unchanged', async () => {
    harness = startMemoryCore()
    const writer = harness.client('team/shared', 'alice')
    const viewer = harness.client('team/shared', 'vic', { canWrite: false })
    await harness.settle()
    viewer.text().insert(0, 'nope')
    await harness.settle()
    expect(viewer.denials).toHaveLength(1)
    expect(writer.text().toString()).toBe('')
    expect(await harness.refusedCount('read_only')).toBe(1)
  })

  it('a hostile frame closes its own connection and no other', async () => {
    harness = startMemoryCore()
    const good = harness.client('team/shared', 'alice')
    const bad = harness.client('team/shared', 'bob')
    await harness.settle()
    bad.sendRaw(new Uint8Array([77]))
    good.text().insert(0, 'still here')
    await harness.settle()
    expect(bad.closes).toEqual([{ code: CLOSE.policyViolation, reason: 'unknown message type 77' }])
    expect(bad.connected).toBe(false)
    expect(good.connected).toBe(true)
    expect(good.closes).toEqual([])
    const witness = harness.client('team/shared', 'rita')
    await harness.settle()
    expect(witness.text().toString()).toBe('still here')
  })

  it('a client that stops reading is cut (4508) once maxBufferedBytes wait for it beyond the network; the writer is not', async () => {
    harness = startMemoryCore({ limits: { maxBufferedBytes: 64 * 1024 } })
    const writer = harness.client('team/shared', 'alice')
    const slow = harness.client('team/shared', 'vic', { canWrite: false })
    await harness.settle()
    slow.socket!.clientStalled = true
    // The network takes KERNEL_BYTES (4 inserts), then at most 64 KiB wait in the server: the eighth is cut.
    for (let i = 0; i < 12; i++) {
      writer.text().insert(0, 'y'.repeat(16 * 1024))
      await harness.settle()
      expect(slow.socket!.serverClose === null, `after ${i + 1} inserts of 16 KiB`).toBe(i < 7)
    }
    expect(slow.socket!.serverClose).toEqual({ code: CLOSE.slowReader, reason: 'reader too slow; reconnect to resync' })
    expect(await harness.refusedCount('slow_reader')).toBe(1)
    expect(writer.closes).toEqual([])
    slow.socket!.clientStalled = false
    await harness.settle()
    expect(slow.connected).toBe(false)
    slow.connect(harness)
    await harness.settle()
    expect(slow.text().toString()).toBe(writer.text().toString())
  })

  it('an empty room unloads after idleRoomMs of fake time, and reloads its state from storage', async () => {
    harness = startMemoryCore({ limits: { idleRoomMs: 30_000 } })
    const a = harness.client('team/shared', 'alice')
    await harness.settle()
    a.text().insert(0, 'kept')
    await harness.settle()
    a.disconnect()
    await harness.settle()
    await harness.clock.advance(29_999)
    await harness.settle()
    expect(harness.core.stats().rooms).toBe(1)
    await harness.clock.advance(1)
    await harness.settle()
    expect(harness.core.stats()).toEqual({ rooms: 0, connections: 0, principalsWithRooms: 0 })
    const b = harness.client('team/shared', 'bob')
    await harness.settle()
    expect(b.text().toString()).toBe('kept')
  })

  it('a restarted core serves what the clients wrote, and offline edits sync on reconnect', async () => {
    harness = startMemoryCore()
    const a = harness.client('team/shared', 'alice')
    const b = harness.client('team/shared', 'bob')
    await harness.settle()
    a.text().insert(0, 'before ')
    await harness.settle()
    harness = await harness.restart()
    expect(a.closes).toEqual([{ code: CLOSE.goingAway, reason: 'server shutting down' }])
    b.text().insert(b.text().length, 'offline')
    a.connect(harness)
    b.connect(harness)
    await harness.settle()
    const room = await harness.core.room('team/shared')
    expect(a.text().toString()).toBe('before offline')
    expect(room.doc.getText('main').toString()).toBe('before offline')
    expect(Y.encodeStateVector(b.doc)).toEqual(Y.encodeStateVector(room.doc))
  })
})
