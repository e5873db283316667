// The in-process floor: what Yjs itself costs for the same updates the scenarios send,
// with no sockets, no server and no storage. No server can apply an update faster.

import * as Y from 'yjs'
import type { BenchSizes } from './options.ts'

const FLOOR_RUNS = 3

export interface FloorResult {
  workload: string
  updates: number
  /** Y.applyUpdate of each update, in order, into one document: µs per update (best of 3). */
  applyUs: number
  /** Y.encodeStateAsUpdate of the final document (a cold sync's server-side work), ms. */
  encodeMs: number
  stateKB: number
}

/** Updates as the server would receive them: `writers` clients interleaved round robin. */
function generate(writers: number, editsPerWriter: number, edit: (doc: Y.Doc, i: number) => void): Uint8Array[] {
  const docs = Array.from({ length: writers }, (_, w) => {
    const doc = new Y.Doc()
    doc.clientID = 1 + w
    return doc
  })
  const perWriter = docs.map((doc) => {
    const out: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => out.push(u))
    for (let i = 0; i < editsPerWriter; i++) edit(doc, i)
    return out
  })
  const updates: Uint8Array[] = []
  for (let i = 0; i < editsPerWriter; i++) for (const list of perWriter) updates.push(list[i])
  return updates
}

function measure(workload: string, updates: Uint8Array[]): FloorResult {
  // Best of a few runs: the floor is what Yjs can do, not what a busy machine let it do.
  let applied = Infinity
  let encodeMs = Infinity
  let state: Uint8Array = new Uint8Array()
  for (let run = 0; run < FLOOR_RUNS; run++) {
    const doc = new Y.Doc()
    const t0 = performance.now()
    for (const u of updates) Y.applyUpdate(doc, u)
    applied = Math.min(applied, performance.now() - t0)
    const t1 = performance.now()
    state = Y.encodeStateAsUpdate(doc)
    encodeMs = Math.min(encodeMs, performance.now() - t1)
    doc.destroy()
  }
  return { workload, updates: updates.length, applyUs: (applied * 1000) / updates.length, encodeMs, stateKB: state.length / 1024 }
}

export function yjsFloor(sizes: BenchSizes): FloorResult[] {
  const typeChar = (doc: Y.Doc, i: number) => {
    const t = doc.getText('main')
    t.insert(t.length, String.fromCharCode(97 + (i % 26)))
  }
  const { writers, rate, durationS } = sizes.fanout
  let seed = 7
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  return [
    measure(
      'fanout edits',
      generate(writers, rate * durationS, (doc, i) => {
        const t = doc.getText('main')
        t.insert(Math.floor(random() * (t.length + 1)), `${doc.clientID}:${i}:${(Date.now() + 0.123).toFixed(3)};`)
      }),
    ),
    measure('burst edits', generate(1, sizes.burst.edits, typeChar)),
    measure('coldsync edits', generate(sizes.coldsync.writers, sizes.coldsync.editsPerWriter, typeChar)),
  ]
}
