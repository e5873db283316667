// Whether a document's text changed since an annotation's author read it: an item of the text
// written after the anchor's state vector, or deleted since (when the anchor recorded its
// snapshot; older anchors know only what was inserted). Such annotations offer "show the text
// as it was read" (history.svelte.ts).

import * as Y from 'yjs'
import * as buffer from 'lib0/buffer'
import type { Anchor } from '../../../shared/anchoring/index.ts'

export function changedSinceRead(ytext: Y.Text, anchor: Anchor): boolean {
  const read = readPoint(anchor)
  if (!read) return false
  for (let item = ytext._start; item; item = item.right) {
    if (item.id.clock >= (read.sv.get(item.id.client) ?? 0)) return true
    if (read.ds && item.deleted && !Y.isDeleted(read.ds, item.id)) return true
  }
  return false
}

function readPoint(anchor: Anchor): { sv: Map<number, number>; ds: Y.Snapshot['ds'] | null } | null {
  try {
    if (anchor.snapshot) {
      const s = Y.decodeSnapshotV2(buffer.fromBase64(anchor.snapshot))
      return { sv: s.sv, ds: s.ds }
    }
    return { sv: Y.decodeStateVector(buffer.fromBase64(anchor.stateVector)), ds: null }
  } catch {
    // Untrusted bytes from a namespace: an unreadable record offers nothing.
    return null
  }
}
