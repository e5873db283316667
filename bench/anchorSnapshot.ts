// What "as read" costs per annotation: `npx tsx bench/anchorSnapshot.ts`. Three writers make
// seeded random inserts and deletes to one document; after each count of edits an anchor is made
// and its size printed, with and without the recorded snapshot (shared/anchoring/anchor.ts).
// Figures in docs/history.md.

import * as Y from 'yjs'
import { ANCHOR_LIMITS, createAnchor } from '../shared/anchoring/index.ts'
import { createDocument, documentText } from '../shared/documents.ts'

let seed = 42
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31

for (const edits of [100, 1000, 3000, 10_000, 30_000]) {
  const writers = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
  for (const w of writers) {
    w.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'relay') for (const other of writers) if (other !== w) Y.applyUpdate(other, update, 'relay')
    })
  }
  const id = createDocument(writers[0], 'Bench', 'Start of the document. '.repeat(20))
  for (let i = 0; i < edits; i++) {
    const text = documentText(writers[i % 3], id)!
    const at = Math.floor(random() * text.length)
    if (random() < 0.6 || text.length < 50) text.insert(at, 'word ')
    else text.delete(at, Math.min(text.length - at, 1 + Math.floor(random() * 8)))
  }
  const text = documentText(writers[1], id)!
  const anchor = createAnchor(text, 10, 20)
  const { snapshot, ...without } = anchor
  console.log(
    `${edits} edits, ${text.length} characters: anchor ${JSON.stringify(anchor).length} bytes, without snapshot ${JSON.stringify(without).length};`,
    snapshot ? `snapshot ${snapshot.length} base64 characters` : `snapshot omitted (over ${ANCHOR_LIMITS.snapshot})`,
  )
}
