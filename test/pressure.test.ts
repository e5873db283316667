// [core] The server under memory pressure, measured in a child process (RSS, heap after GC,
// the core's map sizes): slow readers, missing-dependency floods, socket churn, idle rooms.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startProbedServer, type ProbedServer } from './helpers/probedServer.ts'
import { openRaw, syncMessage, syncStep1, type RawSocket } from './helpers/rawSocket.ts'
import { witnessesSync } from './fixtures/witness.ts'
import { CLOSE } from '../shared/protocol.ts'
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
    await waitFor(async () => {
      if (cutMs < 0 && (await refused('slow_reader')) > 0) cutMs = performance.now() - started
      return Y.getState(seen.store, doc.clientID) >= end
    }, 'the fast reader to get the whole flood', 20_000)
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
