// [core] The server under memory pressure, measured in a child process (RSS, heap after GC,
// the core's map sizes): slow readers, missing-dependency floods, socket churn, idle rooms.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startProbedServer, type ProbedServer } from './helpers/probedServer.ts'
import WebSocket from 'ws'
import { awarenessEntry, openRaw, persistedRequest, syncMessage, syncStep1, textUpdate, type RawSocket } from './helpers/rawSocket.ts'
import { token } from './helpers/server.ts'
import type { MemoryProbe } from './fixtures/probedServer.ts'
import { witnessesSync } from './fixtures/witness.ts'
import { CLOSE, MESSAGE_PERSISTED } from '../shared/wire/index.ts'
import { waitFor } from './helpers/wait.ts'
import { parsePrometheus } from './helpers/prometheus.ts'

const MiB = 1024 * 1024
let server: ProbedServer | null = null
const sockets: RawSocket[] = []

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate()
  await server?.close()
  server = null
})

async function ready(room: string, who: string): Promise<RawSocket> {
  const s = openRaw(server!.wsUrl, room, who)
  sockets.push(s)
  await s.opened()
  await s.waitFor('sync')
  return s
}

/** A document that applies every sync payload a raw socket receives. */
function mirror(s: RawSocket): Y.Doc {
  const doc = new Y.Doc()
  s.ws.on('message', () => {
    const m = s.received.at(-1)
    if (m?.kind === 'sync' && m.subtype !== 0) Y.applyUpdate(doc, m.payload)
  })
  return doc
}

async function refused(reason: string): Promise<number> {
  const text = await (await fetch(`${server!.url}/metrics`)).text()
  return parsePrometheus(text).get(`polyphony_messages_refused_total{reason="${reason}"}`) ?? 0
}

describe('slow readers', () => {
  it('one that stops reading during a 100 MiB broadcast is cut (4508) and released promptly; the others never wait on it', async () => {
    // Byte burst raised so one writer can send the whole flood at once (several sockets could).
    server = await startProbedServer({ limits: { byteBurst: 256 * MiB } })
    const room = 'team/ns/bob'
    const slow = await ready(room, 'vic')
    const tcp = (slow.ws as unknown as { _socket: { pause(): void } })._socket
    tcp.pause()
    const fast = await ready(room, 'alice')
    const seen = mirror(fast)
    const writer = await ready(room, 'bob')
    const before = await server.probe()

    // 100 MiB as 6,400 updates of 16 KiB (insert then delete: the document itself stays small).
    const chunk = 'z'.repeat(16 * 1024)
    const doc = new Y.Doc()
    const flood: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => flood.push(syncMessage(u)))
    while (flood.length < (2 * 100 * MiB) / chunk.length) {
      doc.getText('main').insert(0, chunk)
      doc.getText('main').delete(0, chunk.length)
    }
    const end = Y.getState(doc.store, doc.clientID)
    let lastAt = 0
    let longestGap = 0
    let largest = 0
    fast.ws.on('message', (data: Buffer) => {
      largest = Math.max(largest, data.length)
      const now = performance.now()
      longestGap = Math.max(longestGap, now - lastAt)
      lastAt = now
    })
    const started = (lastAt = performance.now())
    for (const m of flood) writer.send(m)

    let cutMs = -1
    await waitFor(
      async () => {
        if (cutMs < 0 && (await refused('slow_reader')) > 0) cutMs = performance.now() - started
        return Y.getState(seen.store, doc.clientID) >= end
      },
      'the fast reader to get the whole flood',
      20_000,
    )
    const deliveredMs = performance.now() - started
    await waitFor(async () => (await refused('slow_reader')) > 0, 'the slow reader to be cut')
    if (cutMs < 0) cutMs = performance.now() - started
    // Cut means released: what was queued for it is freed within closeGraceMs, not after
    // ws's 30 s close timeout (the paused peer never answers the close frame).
    let after = await server.probe()
    await waitFor(async () => (after = await server!.probe()).arrayBuffers - before.arrayBuffers < 2 * MiB, 'the slow socket to be released', 5_000)
    const peakGrowthMiB = (after.maxRss - before.rss) / MiB
    console.log(
      `slow reader: cut after ${cutMs.toFixed(0)} ms; fast reader had 100 MiB after ${deliveredMs.toFixed(0)} ms, ` +
        `longest gap ${longestGap.toFixed(0)} ms, largest message ${(largest / 1024).toFixed(0)} KiB; server peak RSS +${peakGrowthMiB.toFixed(0)} MiB, ` +
        `retained heap +${((after.heapUsed - before.heapUsed) / MiB).toFixed(1)} MiB, buffers +${((after.arrayBuffers - before.arrayBuffers) / MiB).toFixed(1)} MiB`,
    )
    expect(await refused('slow_reader')).toBe(1)
    expect(cutMs).toBeLessThan(10_000)
    expect(fast.closed).toBeNull()
    expect(writer.closed).toBeNull()
    // Broadcasts are sliced, never merged into one message the size of the flood.
    expect(largest).toBeLessThan(300 * 1024)
    expect(longestGap).toBeLessThan(5_000)
    expect(after.heapUsed - before.heapUsed).toBeLessThan(8 * MiB)
    // Processing 100 MiB makes garbage; what matters is that it is not copied per reader or merged whole.
    expect(peakGrowthMiB).toBeLessThan(200)
    expect(after.core.connections).toBe(2)
  }, 30_000)
})

describe('updates with missing dependencies', () => {
  it('a flood of 1,500 stalls no other room, is refused beyond the bound, and never reaches a new client', async () => {
    server = await startProbedServer()
    const room = 'team/shared'
    const flooder = await ready(room, 'bob')
    // Each update starts after an insert that is never sent: all of them wait for it.
    const doc = new Y.Doc()
    doc.clientID = 900_101
    doc.getText('t').insert(0, 'never sent')
    const gapped: Uint8Array[] = []
    for (let i = 0; i < 1_500; i++) {
      const sv = Y.encodeStateVector(doc)
      doc.getText('t').insert(0, `${i}`.padEnd(2_000, '.'))
      gapped.push(syncMessage(Y.encodeStateAsUpdate(doc, sv)))
    }
    const started = performance.now()
    for (const m of gapped) flooder.send(m)
    await witnessesSync(server.wsUrl, 'w1/shared')
    const otherRoomMs = performance.now() - started
    console.log(`missing-dependency flood: another room synced after ${otherRoomMs.toFixed(0)} ms`)
    const closed = await flooder.whenClosed()
    expect(closed.code).toBe(CLOSE.policyViolation)
    expect(closed.reason).toMatch(/missing dependencies/)
    expect(otherRoomMs).toBeLessThan(5_000)

    // A new client's sync step 2 carries only what the room could integrate.
    const fresh = await ready(room, 'alice')
    fresh.send(syncStep1())
    const step2 = await fresh.waitFor('sync', (m) => m.subtype === 1)
    const clients = new Set(Y.decodeUpdate(step2.payload).structs.map((st) => st.id.client))
    expect(clients.has(doc.clientID)).toBe(false)
    await witnessesSync(server.wsUrl, room)
  }, 30_000)
})

/**
 * A bare socket for churn tests: counts nothing, decodes nothing (2,000 of them must be cheap
 * for the test process); resolves when the room attached and when the server acknowledged.
 */
function churnSocket(room: string, who: string, opts: { deaf?: boolean } = {}): { ws: WebSocket; attached: Promise<void>; acked: Promise<void>; closed: Promise<void> } {
  const ws = new WebSocket(`${server!.wsUrl}/${room}?token=${token(who)}`)
  // A deaf peer stops reading once connected: it never answers the server's close frame.
  if (opts.deaf) ws.once('upgrade', (res) => res.socket.pause())
  const attached = new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve())
    ws.once('close', (code) => reject(new Error(`closed ${code} before the room attached`)))
  })
  attached.catch(() => {}) // refused sockets never attach; callers that expect them to await it
  const acked = new Promise<void>((resolve) => ws.on('message', (data: Buffer) => data[0] === MESSAGE_PERSISTED && resolve()))
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()))
  ws.on('error', () => {})
  return { ws, attached, acked, closed }
}

describe('socket churn', () => {
  it('opening and closing 2,000 sockets a round returns their memory: heap flat from round 1 to round 3', async () => {
    server = await startProbedServer({ limits: { maxSocketsPerPrincipal: 2_000 } })
    // Shared rooms (conflict detector on) are read and get presence; namespaces get edits from their owners.
    const owners = ['alice', 'bob', 'rita', 'vic', 'agent-a', 'agent-b', 'agent-c']
    const places: Array<[room: string, who: string, writes: boolean]> = [
      ...owners.map((o): [string, string, boolean] => [`team/ns/${o}`, o, true]),
      ['team/shared', 'bob', false],
      ['w1/shared', 'alice', false],
      ['blind/shared', 'agent-a', false],
    ]
    const heaps: number[] = []
    let core: MemoryProbe['core'] | null = null
    for (let round = 0; round < 3; round++) {
      const open = Array.from({ length: 2_000 }, (_, i) => {
        const [room, who, writes] = places[i % places.length]
        return { s: churnSocket(room, who), writes }
      })
      await Promise.all(open.map(({ s }) => s.attached))
      open.forEach(({ s, writes }, i) => {
        if (i % 10 === 0) s.ws.send(awarenessEntry(1_000_000 + round * 10_000 + i, 1, { user: `u${i}` }))
        if (writes && i % 4 === 0) s.ws.send(syncMessage(textUpdate(`r${round}s${i}`, 2_000_000 + round * 10_000 + i)))
        s.ws.close()
      })
      await Promise.all(open.map(({ s }) => s.closed))
      await waitFor(async () => (await server!.probe({ gc: false })).core.connections === 0, 'the server to see every close')
      const probe = await server.probe()
      heaps.push(probe.heapUsed)
      core = probe.core
    }
    console.log(`churn: heap after each round of 2,000 sockets (after GC): ${heaps.map((h) => (h / MiB).toFixed(1)).join(', ')} MiB`)
    expect(core).toEqual({ rooms: places.length, connections: 0, principalsWithRooms: 0 })
    // Rounds 2 and 3 add only their edits to the documents (a few hundred KiB), nothing per socket.
    expect(heaps[2] - heaps[0]).toBeLessThan(2 * MiB)
  }, 30_000)
})

describe('idle rooms and refused names', () => {
  it('refused room names create nothing; rooms unload when idle and leave nothing behind', async () => {
    server = await startProbedServer({ limits: { idleRoomMs: 50, maxRoomsPerPrincipal: 1_000, maxSocketsPerPrincipal: 1_000 } })
    const baseline = await server.probe()
    for (let round = 0; round < 3; round++) {
      const refusedNames = Array.from({ length: 300 }, (_, i) => [`nope${i}`, `team/bogus/${i}`, `ghost${i}/shared`][i % 3])
      const refusedSockets = refusedNames.map((name) => churnSocket(name, 'alice', { deaf: true }))
      // An owner may open any namespace of its workspace: 300 distinct rooms, each with an edit.
      const accepted = Array.from({ length: 300 }, (_, i) => churnSocket(`team/ns/r${round}x${i}`, 'alice'))
      await Promise.all(accepted.map((s) => s.attached))
      accepted.forEach((s, i) => {
        s.ws.send(syncMessage(textUpdate(`room ${i}`, 3_000_000 + round * 1_000 + i)))
        s.ws.send(persistedRequest(1))
      })
      await Promise.all(accepted.map((s) => s.acked))
      const during = await server.probe({ gc: false })
      expect(during.core.rooms).toBe(300)
      for (const s of accepted) s.ws.close()
      await Promise.all(accepted.map((s) => s.closed))
      await waitFor(async () => (await server!.probe({ gc: false })).core.rooms === 0, 'idle rooms to unload')
      // Refused peers that never answer the close are cut after closeGraceMs, not held 30 s.
      await waitFor(async () => (await server!.probe({ gc: false })).sockets === 0, 'refused sockets to be cut', 5_000)
      for (const s of refusedSockets) s.ws.terminate()
    }
    const after = await server.probe()
    console.log(`idle rooms: heap ${(baseline.heapUsed / MiB).toFixed(1)} -> ${(after.heapUsed / MiB).toFixed(1)} MiB after 900 rooms and 900 refused names`)
    expect(after.core).toEqual({ rooms: 0, connections: 0, principalsWithRooms: 0 })
    expect(after.heapUsed - baseline.heapUsed).toBeLessThan(4 * MiB)
  }, 30_000)
})
