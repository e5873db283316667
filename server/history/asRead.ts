// "As read": the snapshot of a shared room that an annotation's anchor recorded when it was made
// (shared/anchoring/anchor.ts), checked against the room's own document. Anchors are written by
// their authors into their namespaces: the bytes are untrusted, so a snapshot that does not
// decode is refused, and clocks the room does not hold yet (an offline writer's own edits) are
// clamped to what the room has. Anchors from before snapshots were recorded hold only a state
// vector: their text is approximate (deletions are taken from the latest version that vector
// covers, so text deleted between that version and the reading shows as still there).

import * as Y from 'yjs'
import * as buffer from 'lib0/buffer'
import { ANCHOR_LIMITS } from '../../shared/anchoring/index.ts'

export type ReadPoint = { snapshot: string } | { stateVector: string }

export type AsReadSnapshot = { snapshot: Y.Snapshot; exact: boolean } | { invalid: string }

/** The snapshot to read the text from, given the room's document and its stored versions' snapshots (oldest first). */
export function asReadSnapshot(doc: Y.Doc, point: ReadPoint, versions: () => Y.Snapshot[]): AsReadSnapshot {
  const held = Y.decodeStateVector(Y.encodeStateVector(doc))
  if ('snapshot' in point) {
    const decoded = decode(point.snapshot, (bytes) => Y.decodeSnapshotV2(bytes))
    if (!decoded) return { invalid: 'the recorded snapshot is not a base64 Yjs snapshot (Y.encodeSnapshotV2): send the anchor’s snapshot unchanged' }
    return { snapshot: Y.createSnapshot(decoded.ds, clamp(decoded.sv, held)), exact: true }
  }
  const decoded = decode(point.stateVector, (bytes) => Y.decodeStateVector(bytes))
  if (!decoded) return { invalid: 'the recorded state vector is not a base64 Yjs state vector (Y.encodeStateVector): send the anchor’s stateVector unchanged' }
  const sv = clamp(decoded, held)
  let ds = Y.createDeleteSet()
  for (const v of versions()) if (covers(sv, v.sv)) ds = v.ds
  return { snapshot: Y.createSnapshot(ds, sv), exact: false }
}

function decode<T>(base64: string, read: (bytes: Uint8Array) => T): T | null {
  if (base64.length === 0 || base64.length > ANCHOR_LIMITS.snapshot || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return null
  try {
    return read(buffer.fromBase64(base64))
  } catch {
    return null
  }
}

/** Each client's clock, at most what the room holds (createDocFromSnapshot needs the items to exist). */
function clamp(sv: Map<number, number>, held: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>()
  for (const [client, clock] of sv) {
    const have = Math.min(clock, held.get(client) ?? 0)
    if (have > 0) out.set(client, have)
  }
  return out
}

const covers = (a: Map<number, number>, b: Map<number, number>): boolean => [...b].every(([client, clock]) => (a.get(client) ?? 0) >= clock)
