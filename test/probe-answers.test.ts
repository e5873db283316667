// [perf] A probe's answer (a client's sync step 2: its whole delete set) that adds nothing is
// counted without being inspected again: the room keeps the last such answer and compares bytes
// (server/core/probeAnswers.ts). Seeded: random documents, clients that miss random updates;
// an answer the room remembers (as WriteQueue.offer does: no structs, every deletion applied)
// changes nothing when applied, and neither does any later answer equal to it byte for byte.
// In the real core with the detector, a document with deletions stores one row per edit, not
// one per answer (test/probe-echo.test.ts: what an answer adds is still stored).
// The seed is printed; re-run one with POLYPHONY_SEED=<seed>.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { ProbeAnswers, isEmptyUpdate } from '../server/core/probeAnswers.ts'
import { deletesNothingNew, inspectUpdate } from '../server/core/inspectUpdate.ts'
import { randomEdit } from './fixtures/randomEdit.ts'
import { startMemoryCore, type MemoryCore } from './helpers/memoryCore.ts'

const envSeed = Number(process.env.POLYPHONY_SEED)
const SEEDS = Number.isInteger(envSeed) && process.env.POLYPHONY_SEED ? [envSeed] : [Date.now() % 2 ** 31, (Date.now() * 7919) % 2 ** 31]

/** What a document holds, comparable byte for byte (state vector and delete set included). */
const stateOf = (doc: Y.Doc): Uint8Array => Y.encodeStateAsUpdate(doc)

/** What WriteQueue.offer remembers: an answer with no structs whose every deletion the room has applied. */
function addsNothing(room: Y.Doc, answer: Uint8Array): boolean {
  const info = inspectUpdate(answer, (client) => Y.getState(room.store, client))
  return !info.empty && !info.hasGap && info.clients.length === 0 && deletesNothingNew(room, info.deletes)
}

/** `answer` applied to a copy of `room` changes nothing. */
function changesNothing(room: Y.Doc, answer: Uint8Array): boolean {
  const before = stateOf(room)
  const copy = new Y.Doc({ gc: room.gc })
  Y.applyUpdate(copy, before)
  Y.applyUpdate(copy, answer)
  return Buffer.compare(stateOf(copy), before) === 0
}

describe('probe answers that add nothing', () => {
  it.each(SEEDS)('seed %i: an answer equal to a remembered one changes nothing when applied; in-sync answers are remembered once', (seed) => {
    console.log(`probe answers seed: ${seed} (re-run with POLYPHONY_SEED=${seed})`)
    const gen = prng.create(seed)
    const counts = { remembered: 0, known: 0, inspected: 0 }
    for (let round = 0; round < 30; round++) {
      const room = new Y.Doc({ gc: prng.bool(gen) })
      const answers = new ProbeAnswers()
      const clients = Array.from({ length: 3 }, (_, i) => {
        const doc = new Y.Doc({ gc: false })
        doc.clientID = 100 * round + i + 1
        return doc
      })
      for (let step = 0; step < 80; step++) {
        const writer = clients[prng.int32(gen, 0, clients.length - 1)]
        const before = Y.encodeStateVector(writer)
        randomEdit(gen, writer)
        const update = Y.encodeStateAsUpdate(writer, before)
        // The room and each other client miss some updates (still in flight, or never sent).
        if (prng.int32(gen, 0, 9) < 8) Y.applyUpdate(room, update)
        for (const other of clients) if (other !== writer && prng.int32(gen, 0, 9) < 7) Y.applyUpdate(other, update)
        // Every few steps each client answers a probe (what y-websocket sends: what the room lacks, and its delete set).
        if (step % 5 !== 4) continue
        for (const client of clients) {
          const answer = Y.encodeStateAsUpdate(client, Y.encodeStateVector(room))
          if (isEmptyUpdate(answer) || answers.known(answer)) {
            counts.known++
            expect(changesNothing(room, answer)).toBe(true)
          } else if (addsNothing(room, answer)) {
            counts.remembered++
            answers.remember(answer)
            expect(changesNothing(room, answer)).toBe(true)
          } else {
            counts.inspected++
          }
        }
      }
      // In sync, every client answers with the same bytes: one inspection, then byte comparisons.
      for (const client of clients) Y.applyUpdate(room, Y.encodeStateAsUpdate(client, Y.encodeStateVector(room)))
      for (const client of clients) Y.applyUpdate(client, Y.encodeStateAsUpdate(room, Y.encodeStateVector(client)))
      const inSync = clients.map((client) => Y.encodeStateAsUpdate(client, Y.encodeStateVector(room)))
      if (!isEmptyUpdate(inSync[0]) && !answers.known(inSync[0])) {
        expect(addsNothing(room, inSync[0])).toBe(true)
        answers.remember(inSync[0])
      }
      for (const answer of inSync) expect(isEmptyUpdate(answer) || answers.known(answer)).toBe(true)
    }
    console.log(`probe answers seed ${seed}: ${JSON.stringify(counts)}`)
    expect(counts.known).toBeGreaterThan(0)
    expect(counts.inspected).toBeGreaterThan(0)
  })

  it('an answer differing from the remembered one in any byte is not known', () => {
    const answers = new ProbeAnswers()
    const answer = Uint8Array.of(0, 1, 7, 1, 0, 3)
    expect(answers.known(answer)).toBe(false)
    answers.remember(answer)
    answer[5] = 9 // the remembered answer is a copy: the socket's buffer may be reused
    expect(answers.known(Uint8Array.of(0, 1, 7, 1, 0, 3))).toBe(true)
    expect(answers.known(answer)).toBe(false)
    expect(answers.known(Uint8Array.of(0, 1, 7, 1, 0))).toBe(false)
    expect(answers.known(Uint8Array.of(0, 1, 7, 1, 0, 3, 0))).toBe(false)
  })
})

let harness: MemoryCore | null = null
afterEach(async () => {
  await harness?.close()
  harness = null
})

const storedRows = (h: MemoryCore) => h.db.prepare('SELECT principal, message FROM doc_updates ORDER BY seq').all() as Array<{ principal: string; message: string | null }>

describe('probe answers in the core with the detector', () => {
  it('on a document with deletions every edit is stored once and no answer is', async () => {
    harness = startMemoryCore({ conflicts: true })
    const alice = harness.client('team/shared', 'alice')
    const readers = ['bob', 'carol', 'dave'].map((p) => harness!.client('team/shared', p))
    await harness.settle()
    alice.text().insert(0, 'hello brave new world')
    await harness.settle()
    alice.text().delete(6, 6)
    await harness.settle()
    for (let i = 0; i < 10; i++) {
      alice.text().insert(0, `${i}`)
      await harness.settle()
    }
    readers[0].text().delete(0, 2)
    await harness.settle()
    const rows = storedRows(harness)
    expect(rows).toHaveLength(13)
    expect(rows.every((r) => r.message !== 'sync')).toBe(true)
    for (const r of readers) expect(r.text().toString()).toBe(alice.text().toString())
  })
})
