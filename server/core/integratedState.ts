// What the server may send of a room's document: its integrated state only.

import * as Y from 'yjs'

/**
 * Like Y.encodeStateAsUpdate, without what Yjs holds pending (stored updates with missing
 * dependencies replayed at load): a client must not receive structs the room cannot place.
 */
export function encodeIntegratedState(doc: Y.Doc, stateVector?: Uint8Array): Uint8Array {
  const { pendingStructs, pendingDs } = doc.store
  doc.store.pendingStructs = null
  doc.store.pendingDs = null
  try {
    return Y.encodeStateAsUpdate(doc, stateVector)
  } finally {
    doc.store.pendingStructs = pendingStructs
    doc.store.pendingDs = pendingDs
  }
}
