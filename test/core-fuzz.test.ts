// [core] Seeded fuzz over the real core, in process (test/helpers/memoryCore.ts): clients write
// to random rooms through disconnects, partial deliveries, rate pauses, idle unloads, hostile
// frames (truncated, garbage, oversized, unknown type) and a restart from the SQLite store.
// At the end every client agrees with its room and with what is stored, every hostile frame
// closed its own connection with its code, and nothing else was closed but by the restart.
// The seed is printed; re-run one with POLYPHONY_SEED=<seed>.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { startMemoryCore, type MemoryCore } from './helpers/memoryCore.ts'
import type { MemoryClient } from './helpers/memoryClient.ts'
import type { MemorySocket } from './helpers/memorySocket.ts'
import { SqliteStorage } from '../server/storage/SqliteStorage.ts'
import { shouldCompact } from '../server/storage/index.ts'
import { editedContent, randomEdit } from './fixtures/randomEdit.ts'
import { CLOSE, MESSAGE_CAUSAL, MESSAGE_PERSISTED, syncMessage, updateMessage } from '../shared/wire/index.ts'

/** Two shared rooms (with the conflict detector, as on the server) and a namespace room (without). */
const ROOMS = ['team/shared', 'w1/shared', 'team/ns/alice']
const PRINCIPALS = ['alice', 'bob', 'agent-a', 'agent-b']
const CLIENTS = 8
const STEPS = 300
const MAX_MESSAGE_BYTES = 16 * 1024
const IDLE_ROOM_MS = 4_000
const envSeed = Number(process.env.POLYPHONY_SEED)
const SEEDS = Number.isInteger(envSeed) && process.env.POLYPHONY_SEED ? [envSeed] : [Date.now() % 2 ** 31, (Date.now() * 7919) % 2 ** 31]

type Hostile = 'truncated' | 'garbage' | 'oversized' | 'unknown type'

/** The close each hostile frame earns (null: it may also be harmless, when garbage happens to decode). */
const EXPECTED: Record<Hostile, Array<number | null>> = {
  truncated: [CLOSE.invalidPayload],
  garbage: [CLOSE.invalidPayload, CLOSE.policyViolation, null],
  oversized: [CLOSE.messageTooBig],
  'unknown type': [CLOSE.policyViolation],
}

let memory: MemoryCore | null = null
afterEach(async () => {
  await memory?.close()
  memory = null
})

function randomBytes(gen: prng.PRNG, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = prng.uint32(gen, 0, 255)
  return out
}

function hostileFrame(gen: prng.PRNG, kind: Hostile, doc: Y.Doc): Uint8Array {
  switch (kind) {
    case 'truncated': {
      // A real update frame cut short: the length it declares is never there.
      const scratch = new Y.Doc()
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc))
      const before = Y.encodeStateVector(scratch)
      scratch.getText('main').insert(0, prng.word(gen, 4, 12))
      const frame = updateMessage(Y.encodeStateAsUpdate(scratch, before))
      scratch.destroy()
      return frame.slice(0, prng.int32(gen, 1, frame.length - 1))
    }
    case 'garbage':
      return syncMessage(syncProtocol.messageYjsUpdate, randomBytes(gen, prng.int32(gen, 1, 64)))
    case 'oversized':
      return randomBytes(gen, MAX_MESSAGE_BYTES + prng.int32(gen, 1, 1024))
    case 'unknown type': {
      const e = encoding.createEncoder()
      let type = prng.int32(gen, 4, 1000)
      if (type === MESSAGE_PERSISTED || type === MESSAGE_CAUSAL) type = 4
      encoding.writeVarUint(e, type)
      encoding.writeUint8Array(e, randomBytes(gen, prng.int32(gen, 0, 16)))
      return encoding.toUint8Array(e)
    }
  }
}

/** What the store holds for `room`, rebuilt apart from any room (an update that failed to apply is skipped, as Room.load does). */
async function storedContent(harness: MemoryCore, room: string) {
  const state = await new SqliteStorage(harness.db).load(room)
  const doc = new Y.Doc()
  for (const data of [state.snapshot, ...state.updates.map((u) => u.data)]) {
    if (!data) continue
    try {
      Y.applyUpdate(doc, data)
    } catch {
      // Stored before it failed to apply; the room skipped it too.
    }
  }
  const out = editedContent(doc)
  doc.destroy()
  return out
}

describe('core fuzz', () => {
  it.each(SEEDS)('seed %i: clients, rooms and storage converge; hostile frames close only their own connection', async (seed) => {
    console.log(`core fuzz seed: ${seed} (re-run with POLYPHONY_SEED=${seed})`)
    const gen = prng.create(seed)
    memory = startMemoryCore({
      conflicts: true,
      limits: { maxMessageBytes: MAX_MESSAGE_BYTES, messageBurst: 16, messagesPerSecond: 40, idleRoomMs: IDLE_ROOM_MS },
      core: { shouldCompact: (stats) => shouldCompact(stats, { maxUpdates: 20, maxBytes: 64 * 1024 }) },
    })
    const clients: MemoryClient[] = []
    for (let i = 0; i < CLIENTS; i++) clients.push(memory.client(prng.oneOf(gen, ROOMS), prng.oneOf(gen, PRINCIPALS)))
    /** Every socket opened, and why the server may close it. */
    const sockets = new Map<MemorySocket, { hostile: Hostile[]; restarted: boolean }>()
    const track = () => {
      for (const c of clients) if (c.socket && !sockets.has(c.socket)) sockets.set(c.socket, { hostile: [], restarted: false })
    }
    track()
    const restartAt = prng.int32(gen, STEPS / 3, (2 * STEPS) / 3)
    const counts = { edits: 0, toggles: 0, hostile: 0, partial: 0, advances: 0 }
    const refused: Record<string, number> = {}
    let compactions = 0
    /** What the core refused and compacted so far (a restart starts new metrics). */
    const tally = async (core: MemoryCore) => {
      for (const v of (await core.metrics.refused.get()).values) refused[String(v.labels.reason)] = (refused[String(v.labels.reason)] ?? 0) + v.value
      compactions += (await core.metrics.compactions.get()).values[0]?.value ?? 0
    }

    for (let step = 0; step < STEPS; step++) {
      const c = prng.oneOf(gen, clients)
      const roll = prng.int32(gen, 0, 99)
      if (roll < 45) {
        // A burst of edits, each its own update message: the rate limit pauses some readers.
        for (let n = prng.int32(gen, 1, 8); n > 0; n--) {
          counts.edits++
          randomEdit(gen, c.doc)
        }
      } else if (roll < 55) {
        counts.toggles++
        if (c.connected) c.disconnect()
        else c.connect(memory)
      } else if (roll < 61) {
        if (c.socket?.clientOpen && !c.socket.serverClose) {
          counts.hostile++
          const kind = prng.oneOf(gen, Object.keys(EXPECTED) as Hostile[])
          sockets.get(c.socket)!.hostile.push(kind)
          c.sendRaw(hostileFrame(gen, kind, c.doc))
        }
      } else if (roll < 80) {
        const open = memory.sockets
        if (open.length > 0) {
          counts.partial++
          const s = prng.oneOf(gen, open)
          const n = prng.int32(gen, 1, 5)
          if (prng.bool(gen)) s.deliverToServer(n)
          else s.deliverToClient(n)
        }
      } else if (roll < 90) {
        await memory.settle()
      } else {
        counts.advances++
        await memory.clock.advance(prng.int32(gen, 1, 3_000))
      }
      track()
      if (step === restartAt) {
        for (const s of memory.sockets) {
          const seen = sockets.get(s)
          if (seen) seen.restarted = true
        }
        await tally(memory)
        memory = await memory.restart()
      }
      if (prng.bool(gen)) await new Promise((r) => setImmediate(r))
    }

    // Everyone back online; let every paused read through. A hostile frame still in flight
    // closes its socket on the way: that client reconnects once more (no new hostile frames).
    let waited = 0
    for (let round = 0; round < 2; round++) {
      for (const c of clients) if (!c.connected) c.connect(memory)
      track()
      waited += await memory.settleOverTime(100, 120_000)
    }
    await tally(memory)
    console.log(
      `core fuzz seed ${seed}: ${JSON.stringify(counts)}, restart at step ${restartAt}, ${waited} ms of fake time to drain, ` +
        `refused ${JSON.stringify(refused)}, ${compactions} compactions`,
    )

    // Hostile frames closed their own connection with their code; nothing else was closed but by the restart.
    for (const [socket, seen] of sockets) {
      const code = socket.serverClose?.code ?? null
      if (seen.hostile.length > 0 && code !== CLOSE.goingAway) {
        // The first hostile frame decides (the server reads nothing after a close).
        const allowed = seen.hostile.flatMap((k, i) => (i === 0 || EXPECTED[seen.hostile[i - 1]].includes(null) ? EXPECTED[k] : []))
        expect(allowed, `hostile ${seen.hostile.join(', ')} closed with ${code} ${socket.serverClose?.reason}`).toContain(code)
      } else if (code !== null) {
        expect({ code, restarted: seen.restarted }, `a socket was closed: ${socket.serverClose?.reason}`).toEqual({ code: CLOSE.goingAway, restarted: true })
      }
    }
    for (const c of clients) expect(c.connected, `${c.principal} on ${c.room} is connected`).toBe(true)

    // Every client agrees with its room, and the room with what is stored.
    for (const name of ROOMS) {
      const room = await memory.core.room(name)
      for (const c of clients.filter((x) => x.room === name)) {
        expect(editedContent(c.doc)).toEqual(editedContent(room.doc))
        expect(Y.decodeStateVector(Y.encodeStateVector(c.doc))).toEqual(Y.decodeStateVector(Y.encodeStateVector(room.doc)))
      }
    }
    const expected = new Map<string, ReturnType<typeof editedContent>>()
    for (const name of ROOMS) expected.set(name, editedContent((await memory.core.room(name)).doc))
    for (const c of clients) c.disconnect()
    await memory.settle()
    memory = await memory.restart()
    for (const name of ROOMS) {
      expect(await storedContent(memory, name)).toEqual(expected.get(name))
      expect(editedContent((await memory.core.room(name)).doc)).toEqual(expected.get(name))
    }

    // Idle: every room unloads and the core holds nothing.
    await memory.clock.advance(IDLE_ROOM_MS)
    await memory.settle()
    expect(memory.core.stats()).toEqual({ rooms: 0, connections: 0, principalsWithRooms: 0 })
  })
})
