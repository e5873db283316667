// [core] Resource limits: a flooding socket is paused without slowing other rooms, a
// legitimate agent burst passes with the defaults, slow readers are cut off, per-principal
// and per-server caps refuse with their close codes. Rate limits run in process on a fake
// clock (test/helpers/memoryCore.ts): time passes only when the test advances it.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestServer, type TestServer } from './helpers/server.ts'
import { startMemoryCore, type MemoryCore } from './helpers/memoryCore.ts'
import { openRaw, syncMessage, type RawSocket } from './helpers/rawSocket.ts'
import { waitFor } from './helpers/wait.ts'
import { witnessesSync } from './fixtures/witness.ts'
import { CLOSE } from '../shared/wire/index.ts'
import type { Limits } from '../server/core/limits.ts'

let server: TestServer | null = null
let memory: MemoryCore | null = null
const raw: RawSocket[] = []

afterEach(async () => {
  for (const s of raw.splice(0)) s.ws.terminate()
  await server?.close()
  server = null
  await memory?.close()
  memory = null
})

async function start(limits: Partial<Limits> = {}): Promise<TestServer> {
  server = await startTestServer({ limits })
  return server
}

async function ready(room: string, who: string, params?: Record<string, string>): Promise<RawSocket> {
  const s = openRaw(server!.wsUrl, room, who, { params })
  raw.push(s)
  await s.opened()
  await s.waitFor('sync')
  return s
}

async function refusedCount(reason: string): Promise<number> {
  const metric = await server!.metrics.refused.get()
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0
}

/** `count` single-update messages that each append one character (from one client). */
function smallUpdates(count: number, clientId: number): Uint8Array[] {
  const doc = new Y.Doc()
  doc.clientID = clientId
  const out: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => out.push(syncMessage(u)))
  for (let i = 0; i < count; i++) doc.getText('main').insert(i, 'x')
  return out
}

describe('rate limits (in process, on a fake clock)', () => {
  it('a flooding socket is paused while a witness in another room still syncs with no time passing', async () => {
    memory = startMemoryCore({ limits: { messageBurst: 100, messagesPerSecond: 400 } })
    const flooder = memory.client('team/shared', 'agent-a')
    await memory.settle()
    const room = await memory.core.room('team/shared')
    const applied = () => Y.getState(room.doc.store, 123_456)
    const started = memory.clock.now()
    /** Flood messages the bucket allows after `ms` of fake time, with the handshake's and one in debt. */
    const allowed = (ms: number) => 100 + 400 * (ms / 1000)
    for (const m of smallUpdates(3000, 123_456)) flooder.sendRaw(m)

    const a = memory.client('w1/shared', 'alice')
    const b = memory.client('w1/shared', 'bob')
    await memory.settle()
    a.text().insert(0, 'a')
    b.text().insert(0, 'b')
    await memory.settle()
    expect(a.text().length).toBe(2)
    expect(b.text().toString()).toBe(a.text().toString())
    expect(memory.clock.now()).toBe(started)

    expect(await memory.refusedCount('rate_paused')).toBeGreaterThan(0)
    // Paused, not dropped and not closed: served at the configured rate, not at its own.
    expect(applied()).toBeLessThanOrEqual(allowed(0))
    expect(applied()).toBeGreaterThan(0)
    expect(flooder.connected).toBe(true)
    const frozen = applied()

    for (let ms = 50; ms <= 1000; ms += 50) {
      await memory.clock.advance(50)
      await memory.settle()
      expect(applied()).toBeLessThanOrEqual(allowed(ms))
    }
    expect(applied()).toBeGreaterThan(frozen + 300)
    const more = await memory.settleOverTime(50, 10_000)
    expect(applied()).toBe(3000)
    expect(1000 + more).toBeGreaterThanOrEqual(((3000 - allowed(0)) / 400) * 1000)
    expect(flooder.closes).toEqual([])
    console.log(`flood: witness in another room synced with no fake time passing; the flooder had ${frozen}/3000 applied then, all after ${1000 + more} ms`)

    const late = memory.client('team/shared', 'bob')
    await memory.settle()
    expect(late.text().length).toBe(3000)
  })

  it("an agent's burst of 10,000 small edits passes with the default limits", async () => {
    memory = startMemoryCore()
    const agent = memory.client('team/shared', 'agent-a')
    const reader = memory.client('team/shared', 'bob')
    await memory.settle()
    const started = performance.now()
    const t = agent.text()
    for (let i = 0; i < 10_000; i++) t.insert(t.length, String.fromCharCode(97 + (i % 26)))
    await memory.settle()
    const ms = performance.now() - started
    expect(reader.text().length).toBe(10_000)
    expect(reader.text().toString()).toBe(t.toString())
    expect(agent.closes).toEqual([])
    expect(agent.denials).toEqual([])
    expect(await memory.refusedCount('rate_paused')).toBe(0)
    console.log(`burst: 10,000 edits reached a second client in ${ms.toFixed(0)} ms (in process, no fake time passing)`)
  })
})

describe('slow readers', () => {
  it('are disconnected (4508, a transient code: they reconnect and resync) once their buffer exceeds maxBufferedBytes', async () => {
    await start({ maxBufferedBytes: 256 * 1024 })
    const room = 'team/shared'
    const slow = await ready(room, 'vic')
    // Stop reading: the server's send buffer to this socket grows once the kernel's is full.
    const tcp = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
    tcp.pause()
    const writer = await ready(room, 'bob', { persisted: '1' })
    const doc = new Y.Doc()
    doc.on('update', (u: Uint8Array) => writer.send(syncMessage(u)))
    const big = 'y'.repeat(200 * 1024)
    for (let i = 1; i <= 400 && (await refusedCount('slow_reader')) === 0; i++) {
      // Insert then delete: every insert is broadcast in full, the document stays small.
      doc.getText('main').insert(0, big)
      doc.getText('main').delete(0, big.length)
      await writer.persisted(i)
    }
    expect(await refusedCount('slow_reader')).toBe(1)
    tcp.resume()
    const closed = await slow.whenClosed()
    expect(closed.code).toBe(CLOSE.slowReader)
    expect(writer.closed).toBeNull()
    await witnessesSync(server!.wsUrl, room)
    await witnessesSync(server!.wsUrl, 'w1/shared')
  })
})

describe('caps', () => {
  it('a principal may keep at most maxRoomsPerPrincipal rooms open (4429 beyond)', async () => {
    await start({ maxRoomsPerPrincipal: 2 })
    await ready('w1/shared', 'agent-a')
    await ready('team/shared', 'agent-a')
    // A second socket on a room it already has open does not count as another room.
    await ready('team/shared', 'agent-a')
    const third = openRaw(server!.wsUrl, 'blind/shared', 'agent-a')
    raw.push(third)
    expect((await third.whenClosed()).code).toBe(CLOSE.tooManyRooms)
    expect(third.closedBeforeAnyMessage()).toBe(true)
    await witnessesSync(server!.wsUrl, 'blind/shared')
  })

  it('the server refuses sockets beyond maxConnections with 1013 and accepts again once below', async () => {
    await start({ maxConnections: 3 })
    const open = [await ready('w1/shared', 'alice'), await ready('w1/shared', 'bob'), await ready('team/shared', 'rita')]
    const extra = openRaw(server!.wsUrl, 'w1/shared', 'vic')
    raw.push(extra)
    expect((await extra.whenClosed()).code).toBe(CLOSE.tryAgainLater)
    expect(extra.closedBeforeAnyMessage()).toBe(true)
    open[0].close()
    open[1].close()
    await waitFor(() => server!.core.connectionCount <= 1, 'sockets to close')
    await witnessesSync(server!.wsUrl, 'w1/shared')
  })
})
