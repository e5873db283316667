// What one probe's answer costs the server on a document with many deletions: a y-websocket
// client answers every probe with its whole delete set. Now: inspected and checked against the
// document once per change of the delete set (WriteQueue.#addsNothing), then one byte comparison
// per answer (server/core/probeAnswers.ts). Inspected every time, it costs the first figure per
// answer; stored as the sender's write (before ca1458d) also a detector pass (the last) and an
// SQLite append (not counted here). Run: npx tsx bench/probeAnswerCost.ts [edits...]
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { ProbeAnswers } from '../server/core/probeAnswers.ts'
import { deletesNothingNew, inspectUpdate } from '../server/core/inspectUpdate.ts'
import { ConflictDetector } from '../server/conflicts/index.ts'
import { helpIfAsked, wholeArg } from './usage.ts'

helpIfAsked('usage: npx tsx bench/probeAnswerCost.ts [edits ...] (each 1..1000000, default 2000 20000)\nWhat one probe answer costs the server on a document with many deletions.')
const sizes = process.argv.slice(2).map((raw) => wholeArg('edits', raw, 0, 1, 1_000_000))

/** Mean µs per call of `f` over `n` calls. */
function time(n: number, f: () => void): number {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) f()
  return Number(process.hrtime.bigint() - t0) / 1e3 / n
}

for (const edits of sizes.length > 0 ? sizes : [2_000, 20_000]) {
  // One client types and deletes at random (40 % deletions); the room holds everything it wrote.
  const gen = prng.create(7)
  const client = new Y.Doc({ gc: false })
  const text = client.getText('main')
  for (let i = 0; i < edits; i++) {
    if (text.length > 20 && prng.int32(gen, 0, 9) < 4) text.delete(prng.int32(gen, 0, text.length - 4), prng.int32(gen, 1, 3))
    else text.insert(prng.int32(gen, 0, text.length), prng.word(gen, 1, 4))
  }
  const room = new Y.Doc({ gc: false })
  const detector = new ConflictDetector(room, { docName: 'w/shared' })
  detector.integrate(Y.encodeStateAsUpdate(client), { principal: 'alice', session: 'a', message: 'update' })
  // What the client answers a probe with once in sync: no structs, its whole delete set.
  const answer = Y.encodeStateAsUpdate(client, Y.encodeStateVector(room))
  const ranges = [...Y.decodeUpdate(answer).ds.clients.values()].reduce((n, r) => n + r.length, 0)
  const check = time(50, () => deletesNothingNew(room, inspectUpdate(answer, (c) => Y.getState(room.store, c)).deletes))
  const answers = new ProbeAnswers()
  answers.remember(answer)
  const again = answer.slice() // another client's answer: equal bytes, another buffer
  const repeat = time(20_000, () => answers.known(again))
  let n = 0
  const integrate = time(50, () => detector.integrate(answer, { principal: 'bob', session: `b${n++ % 5}`, message: 'sync' }))
  console.log(
    `${edits} edits: answer ${answer.length} B, ${ranges} delete ranges | inspect + check ${check.toFixed(1)} µs (now once per delete-set change) | ` +
      `byte comparison ${repeat.toFixed(2)} µs (now every other answer) | detector pass ${integrate.toFixed(1)} µs (when answers were stored)`,
  )
}
