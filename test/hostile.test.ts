// [core] Hostile input over raw sockets. In every case the server stays up, the offending
// socket gets the stated close code (or a refusal), and witness clients still sync both in
// the same room and in another room.

import { beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { connect, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { useHarness } from './helpers/harness.ts'
import { awarenessEntry, openRaw, syncMessage, syncStep1, textUpdate, type RawSocket } from './helpers/rawSocket.ts'
import { waitFor } from './helpers/wait.ts'
import { witnessesSync } from './fixtures/witness.ts'
import { storedHistory } from './fixtures/stored.ts'
import { CLOSE } from '../shared/wire/index.ts'

const ROOM = 'team/shared'
const OTHER = 'w1/shared'
const MAX_MESSAGE = 64 * 1024
const MAX_PENDING = 8 * 1024

const t = useHarness()
beforeAll(() => t.start({ limits: { maxMessageBytes: MAX_MESSAGE, maxPendingBytesPerRoom: MAX_PENDING } }))

/** A raw writer socket that finished the handshake (its room is attached). */
async function ready(room = ROOM, who = 'agent-a'): Promise<RawSocket> {
  const s = openRaw(t.server.wsUrl, room, who)
  await s.opened()
  await s.waitFor('sync')
  return s
}

async function expectClosedWith(s: RawSocket, code: number, room = ROOM): Promise<void> {
  const closed = await s.whenClosed()
  expect(closed.code, closed.reason).toBe(code)
  await witnessesSync(t.server.wsUrl, room)
  await witnessesSync(t.server.wsUrl, room === OTHER ? ROOM : OTHER)
}

describe('malformed frames and messages', () => {
  it('a text frame is closed with 1003', async () => {
    const s = await ready()
    s.ws.send('hello')
    await expectClosedWith(s, CLOSE.unsupportedData)
  })

  it('a text frame that is not valid UTF-8 is closed with 1007', async () => {
    const s = await ready()
    s.ws.send(Buffer.from([0x68, 0xff, 0xfe, 0x80]), { binary: false })
    await expectClosedWith(s, CLOSE.invalidPayload)
  })

  it.each([
    ['garbage bytes', Uint8Array.from([0x00, 0xff, 0xff, 0xff])],
    ['a lone message type', Uint8Array.from([0])],
    ['sync step 1 without a state vector', Uint8Array.from([0, 0])],
    ['an update whose length runs past the end', Uint8Array.from([0, 2, 10, 1, 2])],
    ['a truncated real update', syncMessage(textUpdate('truncated', 4242)).slice(0, 9)],
    ['an awareness update with bad JSON', Uint8Array.from([1, 5, 1, 7, 1, 1, 0x7b])],
  ])('%s is closed with 1007', async (_name, bytes) => {
    const s = await ready()
    s.send(bytes)
    await expectClosedWith(s, CLOSE.invalidPayload)
  })

  it('an update that fails to decode is closed with 1007 and nothing is stored', async () => {
    const s = await ready()
    const before = (await t.server.core.room(ROOM)).appliedSeq
    s.send(syncMessage(Uint8Array.from([5, 200, 1, 2, 3, 4, 5, 6])))
    await expectClosedWith(s, CLOSE.invalidPayload)
    await (await t.server.core.room(ROOM)).drain()
    const history = await storedHistory(t.server.db, ROOM, before)
    expect(history.filter((h) => h.principal === 'agent-a')).toEqual([])
  })

  it('an unknown message type is closed with 1008', async () => {
    const s = await ready()
    s.send(Uint8Array.from([7, 1, 2]))
    await expectClosedWith(s, CLOSE.policyViolation)
  })

  it('an oversized message is closed with 1009', async () => {
    const s = await ready()
    s.send(syncMessage(textUpdate('x'.repeat(MAX_MESSAGE), 4343)))
    await expectClosedWith(s, CLOSE.messageTooBig)
  })
})

describe('updates that decode but cannot be applied', () => {
  // Found by mutating real updates: Y.decodeUpdate accepts them, Y.applyUpdate throws.
  const POISON = {
    'a delete range of length 0': '0001cde5ea9307023301b70100',
    'an item whose origin is missing from its own client': '010182e5eaaa0700c482e5eaaa071b82e5eaaa073805616263313400',
  }

  it.each(Object.entries(POISON))('%s is refused and does not poison the room across a restart', async (_name, hex) => {
    const update = Uint8Array.from(Buffer.from(hex, 'hex'))
    expect(() => Y.decodeUpdate(update)).not.toThrow()
    expect(() => Y.applyUpdate(new Y.Doc(), update)).toThrow()
    const room = 'blind/shared'
    const s = await ready(room)
    s.send(syncMessage(update))
    await expectClosedWith(s, CLOSE.invalidPayload, room)
    await t.server.restart()
    await witnessesSync(t.server.wsUrl, room)
  })
})

describe('protocol violations below the message layer', () => {
  it('an unmasked client frame after a manual upgrade gets close 1002', async () => {
    const { socket, rest } = await manualUpgrade(t.server.port, `/sync/${ROOM}?token=pp_test_agent-a_token_0123456789abcdef`)
    // FIN + binary opcode, no MASK bit: clients must mask (RFC 6455 5.1).
    socket.write(Buffer.from([0x82, 0x03, 0x00, 0x00, 0x00]))
    const code = await closeFrameCode(socket, rest)
    expect(code).toBe(1002)
    await witnessesSync(t.server.wsUrl, ROOM)
    await witnessesSync(t.server.wsUrl, OTHER)
  })

  it('a reserved opcode gets close 1002', async () => {
    const { socket, rest } = await manualUpgrade(t.server.port, `/sync/${ROOM}?token=pp_test_agent-a_token_0123456789abcdef`)
    socket.write(Buffer.concat([Buffer.from([0x83, 0x80]), randomBytes(4)]))
    expect(await closeFrameCode(socket, rest)).toBe(1002)
    await witnessesSync(t.server.wsUrl, ROOM)
    await witnessesSync(t.server.wsUrl, OTHER)
  })
})

describe('awareness', () => {
  it('a socket cannot set or remove an awareness entry owned by another connection', async () => {
    const owner = await ready(ROOM, 'agent-a')
    const thief = await ready(ROOM, 'agent-b')
    const id = 777_001
    owner.send(awarenessEntry(id, 1, { status: { state: 'idle' } }))
    const room = await t.server.core.room(ROOM)
    await waitFor(() => room.presence.awareness.getStates().has(id), 'owner awareness')

    thief.send(awarenessEntry(id, 5, { status: { state: 'writing' } }))
    await thief.waitFor('denied', (m) => m.reason.includes(String(id)))
    thief.send(awarenessEntry(id, 6, null))
    await waitFor(() => thief.received.filter((m) => m.kind === 'denied').length >= 2, 'second denial')

    expect(room.presence.awareness.getStates().get(id)).toEqual({ status: { state: 'idle' } })
    expect(room.presence.awareness.meta.get(id)?.clock).toBe(1)
    expect(thief.closed).toBeNull()
    owner.close()
    thief.close()
    await witnessesSync(t.server.wsUrl, ROOM)
    await witnessesSync(t.server.wsUrl, OTHER)
  })
})

describe('updates with missing dependencies', () => {
  it('are refused beyond the per-room bound instead of accumulating, even in one burst', async () => {
    const room = 'team/shared'
    const s = await ready(room, 'bob')
    // Each update starts beyond what the room has for this client: Yjs would hold it pending.
    const doc = new Y.Doc()
    doc.clientID = 900_001
    doc.getText('t').insert(0, 'never sent')
    const gapped: Uint8Array[] = []
    for (let i = 0; i < 40; i++) {
      const sv = Y.encodeStateVector(doc)
      doc.getText('t').insert(0, `${i}`.padEnd(1000, '.'))
      gapped.push(Y.encodeStateAsUpdate(doc, sv))
    }
    for (const u of gapped) s.send(syncMessage(u))
    const closed = await s.whenClosed()
    expect(closed.code).toBe(CLOSE.policyViolation)
    const loaded = await t.server.core.room(room)
    await loaded.drain()
    expect(loaded.pendingBytes()).toBeLessThanOrEqual(MAX_PENDING)
    await witnessesSync(t.server.wsUrl, room)
    await witnessesSync(t.server.wsUrl, OTHER)
  })

  it('are held by the room, not sent to new clients, and applied and broadcast once what they depend on arrives', async () => {
    const room = 'team/ns/bob'
    const s = await ready(room, 'bob')
    const doc = new Y.Doc()
    doc.clientID = 920_001
    doc.getText('t').insert(0, 'first ')
    const first = Y.encodeStateAsUpdate(doc)
    const sv = Y.encodeStateVector(doc)
    doc.getText('t').insert(6, 'second')
    const second = Y.encodeStateAsUpdate(doc, sv)
    s.send(syncMessage(second))
    const loaded = await t.server.core.room(room)
    await waitFor(() => loaded.pendingUpdates === 1, 'the gapped update to be held')
    const early = await ready(room, 'alice')
    early.send(syncStep1())
    const step2 = await early.waitFor('sync', (m) => m.subtype === 1)
    expect(Y.decodeUpdate(step2.payload).structs.some((st) => st.id.client === doc.clientID)).toBe(false)

    s.send(syncMessage(first))
    const mirror = new Y.Doc()
    await waitFor(() => {
      for (const m of early.received) if (m.kind === 'sync' && m.subtype !== 0) Y.applyUpdate(mirror, m.payload)
      return mirror.getText('t').toString() === 'first second'
    }, 'both updates to reach the other client')
    expect(loaded.pendingUpdates).toBe(0)
    expect(loaded.pendingBytes()).toBe(0)
    s.close()
    early.close()
  })

  it('a held update survives compaction and a restart, still reaches no new client, and applies once its dependency arrives', async () => {
    const room = 'team/ns/agent-b'
    const s = await ready(room, 'agent-b')
    const doc = new Y.Doc()
    doc.clientID = 920_002
    doc.getText('t').insert(0, 'before ')
    const first = Y.encodeStateAsUpdate(doc)
    const sv = Y.encodeStateVector(doc)
    doc.getText('t').insert(7, 'after')
    s.send(syncMessage(Y.encodeStateAsUpdate(doc, sv)))
    await s.persisted(1)
    s.close()
    // Compaction folds the log into a snapshot: the held update must be in it.
    const loaded = await t.server.core.room(room)
    expect(loaded.pendingUpdates).toBe(1)
    await loaded.compactIfNeeded(true)
    await t.server.restart()

    const reader = await ready(room, 'alice')
    reader.send(syncStep1())
    const step2 = await reader.waitFor('sync', (m) => m.subtype === 1)
    expect(Y.decodeUpdate(step2.payload).structs.some((st) => st.id.client === doc.clientID)).toBe(false)
    const writer = await ready(room, 'agent-b')
    writer.send(syncMessage(first))
    const mirror = new Y.Doc()
    await waitFor(() => {
      for (const m of reader.received) if (m.kind === 'sync' && m.subtype !== 0) Y.applyUpdate(mirror, m.payload)
      return mirror.getText('t').toString() === 'before after'
    }, 'the held update to apply after the restart')
    expect((await t.server.core.room(room)).pendingBytes()).toBe(0)
    reader.close()
    writer.close()
  })

  it('deletions of unknown items count against the same bound', async () => {
    const room = 'team/shared'
    const s = await ready(room, 'bob')
    for (let i = 0; i < 200; i++) s.send(syncMessage(deleteOnly(910_000 + i * 50, 50)))
    const closed = await s.whenClosed()
    expect(closed.code).toBe(CLOSE.policyViolation)
    const loaded = await t.server.core.room(room)
    await loaded.drain()
    expect(loaded.pendingBytes()).toBeLessThanOrEqual(MAX_PENDING)
    await witnessesSync(t.server.wsUrl, room)
  })
})

it('the handshake still works for a plain reader after all of the above', async () => {
  const s = openRaw(t.server.wsUrl, OTHER, 'vic')
  await s.opened()
  s.send(syncStep1())
  await s.waitFor('sync', (m) => m.subtype === 1)
  s.close()
})

/** A delete-set-only update deleting 10 items of each of `n` clients the room never saw. */
function deleteOnly(firstClient: number, n: number): Uint8Array {
  const bytes: number[] = [0]
  writeVar(bytes, n)
  for (let c = firstClient; c < firstClient + n; c++) {
    writeVar(bytes, c)
    bytes.push(1)
    writeVar(bytes, 100)
    writeVar(bytes, 10)
  }
  return Uint8Array.from(bytes)
}

function writeVar(out: number[], n: number): void {
  while (n > 0x7f) {
    out.push(0x80 | (n & 0x7f))
    n = Math.floor(n / 128)
  }
  out.push(n)
}

/** Upgrades a plain TCP socket by hand so the test can write arbitrary frames. */
async function manualUpgrade(port: number, path: string): Promise<{ socket: Socket; rest: Buffer[] }> {
  const socket = connect(port, '127.0.0.1')
  const key = randomBytes(16).toString('base64')
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` + `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  await waitFor(() => Buffer.concat(chunks).includes('\r\n\r\n'), 'upgrade response')
  const all = Buffer.concat(chunks)
  const end = all.indexOf('\r\n\r\n') + 4
  expect(all.subarray(0, end).toString()).toMatch(/^HTTP\/1\.1 101/)
  chunks.splice(0, chunks.length, all.subarray(end))
  return { socket, rest: chunks }
}

/** Reads server frames from `chunks` until a close frame; returns its code. */
async function closeFrameCode(socket: Socket, chunks: Buffer[]): Promise<number> {
  let code = -1
  await waitFor(() => {
    let buf = Buffer.concat(chunks)
    while (buf.length >= 2) {
      const opcode = buf[0] & 0x0f
      let len = buf[1] & 0x7f
      let offset = 2
      if (len === 126) {
        if (buf.length < 4) return false
        len = buf.readUInt16BE(2)
        offset = 4
      } else if (len === 127) {
        if (buf.length < 10) return false
        len = Number(buf.readBigUInt64BE(2))
        offset = 10
      }
      if (buf.length < offset + len) return false
      if (opcode === 0x8) {
        code = buf.readUInt16BE(offset)
        return true
      }
      buf = buf.subarray(offset + len)
    }
    return false
  }, 'a close frame')
  socket.destroy()
  return code
}
