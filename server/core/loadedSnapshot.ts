// The first client of a room after a restart usually has nothing (a new page, an agent starting):
// its sync step 2 is the whole document. When the room's load applied the stored snapshot alone
// (no update after it, nothing left pending), that snapshot already is the whole document, as an
// update: re-encoding it cost the first sync of a 100 kB document 0.4–0.7 ms, the most of any step
// after the load (the encoder is still cold in a new process; docs/benchmarks.md, cold sync).
// A room keeps the snapshot only until its document changes (Room.syncStep2): at most the
// document's encoded size, held by a room nobody has edited since it loaded.

import * as Y from 'yjs'
import type { RoomState } from '../storage/DocumentStorage.ts'

/**
 * The stored snapshot when the document holds exactly it, integrated: nothing replayed after it
 * (the load's updates changed the document) and nothing Yjs keeps pending (a client must not
 * receive structs the room cannot place, see integratedState.ts). Null otherwise.
 */
export function snapshotIsWholeDocument(doc: Y.Doc, state: RoomState): Uint8Array | null {
  if (state.snapshot === null || state.updates.length > 0) return null
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return null
  return state.snapshot
}

/**
 * Whether a client at `stateVector` has none of `doc`'s structs, so that its sync step 2 is the
 * whole document (a client id the document does not hold changes nothing: the reply never carries
 * the client's own structs). `stateVector` must be well-formed (Connection checked it).
 */
export function hasNoneOf(doc: Y.Doc, stateVector: Uint8Array): boolean {
  for (const [client, clock] of Y.decodeStateVector(stateVector)) if (clock > 0 && doc.store.clients.has(client)) return false
  return true
}
