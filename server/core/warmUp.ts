// A fresh process compiles code lazily, on first use: after a restart the first client of a
// room paid for compiling Yjs's decode and encode paths and the conflict detector's load (a
// cold first sync measured 9 ms in applyUpdate and 5 ms in encodeStateAsUpdate against under
// 0.5 ms each warm; docs/benchmarks.md, coldsync). warmUp() runs the same load and sync steps
// once on a small scratch document at start-up, before the server listens, so that cost is
// paid there. It touches no storage and no room.

import * as Y from 'yjs'
import type { RoomExtension } from './RoomExtension.ts'
import { inspectUpdate } from './inspectUpdate.ts'

/** `extension`: a room extension like the ones real rooms get (its load and integrate run too). */
export async function warmUp(extension?: RoomExtension): Promise<void> {
  const writer = new Y.Doc()
  writer.clientID = 1
  const text = writer.getText('main')
  text.insert(0, 'warm up the sync path')
  writer.getMap('docs').set('k', 'v')
  const snapshot = Y.encodeStateAsUpdate(writer)
  const before = Y.encodeStateVector(writer)
  text.delete(0, 5)
  text.insert(text.length, '.')
  const tail = Y.encodeStateAsUpdate(writer, before)
  const doc = new Y.Doc({ gc: false })
  const origin = { source: 'storage' as const }
  if (extension) {
    await extension.load(doc, { snapshot, snapshotSeq: 1, updates: [{ seq: 2, data: tail, principal: 'warm-up', clients: [1], at: 0, message: 'update' }] })
  } else {
    Y.applyUpdate(doc, snapshot, origin)
    Y.applyUpdate(doc, tail, origin)
  }
  inspectUpdate(tail, (client) => Y.getState(doc.store, client))
  // What a connecting client is sent: the whole state, a diff against its state vector, a merge.
  Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Y.Doc()))
  Y.encodeStateAsUpdate(doc, before)
  Y.mergeUpdates([snapshot, tail])
  Y.diffUpdate(snapshot, before)
  extension?.destroy()
  doc.destroy()
  writer.destroy()
}
