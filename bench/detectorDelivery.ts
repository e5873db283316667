// The conflict detector's own cost per fanout edit, in process (no sockets, no Yjs work of the
// clients timed): one one-character insert integrated, then for every session the bookkeeping of
// a delivery, its probe and the probe's answer (ConflictDetector.delivered, probed, acknowledged),
// as a room with that many writable clients does after every broadcast batch.
// Run: npx tsx bench/detectorDelivery.ts [--edits 4000] [--sessions 50] [--reps 3]
import * as Y from 'yjs'
import { parseArgs } from 'node:util'
import { ConflictDetector } from '../server/conflicts/index.ts'
import { helpIfAsked, wholeArg } from './usage.ts'
import { median } from './stats.ts'

helpIfAsked(
  'usage: npx tsx bench/detectorDelivery.ts [--edits 4000] [--sessions 50] [--reps 3]\n' +
    "The detector's µs per fanout edit, in process: integrate one edit, then deliver, probe and acknowledge for every session.",
)
const { values } = parseArgs({ options: { edits: { type: 'string' }, sessions: { type: 'string' }, reps: { type: 'string' } } })
const edits = wholeArg('--edits', values.edits, 4000, 1, 100_000)
const sessions = wholeArg('--sessions', values.sessions, 50, 1, 1000)
const reps = wholeArg('--reps', values.reps, 3, 1, 20)
const WRITERS = Math.min(10, sessions)

function run(): { integrate: number; sessions: number } {
  const doc = new Y.Doc({ gc: false })
  const detector = new ConflictDetector(doc, { docName: 'w/shared' })
  const writers = Array.from({ length: WRITERS }, (_, i) => {
    const d = new Y.Doc()
    d.clientID = i + 1
    return d
  })
  // Each writer's edits, prepared beforehand: writer w inserts at the start of what it has seen.
  const updates: Uint8Array[] = []
  const warm = Math.min(500, edits)
  for (let k = 0; k < warm + edits; k++) {
    const w = writers[k % WRITERS]
    const before = Y.encodeStateVector(w)
    w.getText('t').insert(0, 'x')
    const update = Y.encodeStateAsUpdate(w, before)
    updates.push(update)
    for (const other of writers) if (other !== w) Y.applyUpdate(other, update)
  }
  const ids = Array.from({ length: sessions }, (_, s) => String(s))
  for (const id of ids) detector.probed(id)
  let integrate = 0
  let bookkeeping = 0
  updates.forEach((update, k) => {
    const w = k % WRITERS
    const t0 = performance.now()
    detector.integrate(update, { principal: `p${w}`, session: ids[w], message: 'update' })
    const t1 = performance.now()
    for (const id of ids) detector.acknowledged(id, `p${id}`)
    for (const id of ids) {
      detector.delivered(id)
      detector.probed(id)
    }
    const t2 = performance.now()
    if (k < warm) return
    integrate += t1 - t0
    bookkeeping += t2 - t1
  })
  return { integrate: (integrate * 1000) / edits, sessions: (bookkeeping * 1000) / edits }
}

const runs = Array.from({ length: reps }, run)
const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (${xs.map((x) => x.toFixed(1)).join(', ')})`
console.log(`| ${edits} edits, ${sessions} sessions, median of ${reps} | µs per edit (runs) |`)
console.log('|---|--:|')
console.log(`| integrate one edit | ${fmt(runs.map((r) => r.integrate))} |`)
console.log(`| acknowledge, deliver and probe every session | ${fmt(runs.map((r) => r.sessions))} |`)
