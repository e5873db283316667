// [core] Resource limits: a flooding socket is paused without slowing other rooms, a
// legitimate agent burst passes with the defaults, slow readers are cut off, per-principal
// and per-server caps refuse with their close codes.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestServer, type TestServer } from './helpers/server.ts'
import { connectStock, synced, text, type StockClient } from './helpers/clients.ts'
import { openRaw, syncMessage, type RawSocket } from './helpers/rawSocket.ts'
import { waitFor } from './helpers/wait.ts'
import { witnessesSync } from './fixtures/witness.ts'
import { CLOSE } from '../shared/wire/index.ts'
import type { Limits } from '../server/core/limits.ts'

let server: TestServer | null = null
const stock: StockClient[] = []
const raw: RawSocket[] = []

afterEach(async () => {
  for (const c of stock.splice(0)) c.destroy()
  for (const s of raw.splice(0)) s.ws.terminate()
  await server?.close()
  server = null
})

async function start(limits: Partial<Limits> = {}): Promise<TestServer> {
  server = await startTestServer({ limits })
  return server
}

function openStock(room: string, who: string): StockClient {
  const c = connectStock(server!.wsUrl, room, who)
  stock.push(c)
  return c
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

describe('rate limits', () => {
  it('a flooding socket is paused while a witness in another room still syncs promptly', async () => {
    await start({ messageBurst: 100, messagesPerSecond: 400 })
    const flooder = await ready('team/shared', 'agent-a')
    const flood = smallUpdates(3000, 123_456)
    const floodStart = performance.now()
    for (const m of flood) flooder.send(m)

    const started = performance.now()
    await witnessesSync(server!.wsUrl, 'w1/shared')
    const witnessMs = performance.now() - started

    const room = await server!.core.room('team/shared')
    const applied = Y.getState(room.doc.store, 123_456)
    expect(await refusedCount('rate_paused')).toBeGreaterThan(0)
    // Paused, not dropped and not closed: served at the configured rate, not at its own.
    const allowed = 100 + 400 * ((performance.now() - floodStart) / 1000)
    expect(applied).toBeLessThanOrEqual(allowed + 20)
    expect(applied).toBeLessThan(3000)
    expect(flooder.closed).toBeNull()
    expect(witnessMs).toBeLessThan(2000)
    console.log(`flood: witness in another room synced in ${witnessMs.toFixed(0)} ms; flooder had ${applied}/3000 applied`)
    await witnessesSync(server!.wsUrl, 'team/shared')
  })

  it("an agent's burst of 10,000 small edits passes with the default limits", async () => {
    await start()
    const agent = openStock('team/shared', 'agent-a')
    const reader = openStock('team/shared', 'bob')
    await synced(agent, reader)
    const started = performance.now()
    const t = text(agent)
    for (let i = 0; i < 10_000; i++) t.insert(t.length, String.fromCharCode(97 + (i % 26)))
    await waitFor(() => text(reader).length === 10_000, 'the reader to see 10,000 edits', 30_000)
    const ms = performance.now() - started
    expect(text(reader).toString()).toBe(t.toString())
    expect(agent.closes).toEqual([])
    expect(agent.denials).toEqual([])
    expect(await refusedCount('rate_paused')).toBe(0)
    console.log(`burst: 10,000 edits reached a second client in ${ms.toFixed(0)} ms`)
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
