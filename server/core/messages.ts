// Encoders for the messages the server sends (awareness entries: shared/presence/awarenessUpdate.ts).

import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as authProtocol from 'y-protocols/auth'
import * as Y from 'yjs'
import { MESSAGE_AUTH, MESSAGE_AWARENESS, MESSAGE_PERSISTED, MESSAGE_SYNC } from '../../shared/protocol.ts'

export function syncStep1Message(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_SYNC)
  syncProtocol.writeSyncStep1(e, doc)
  return encoding.toUint8Array(e)
}

/** Sync step 2: the integrated state only, never structs waiting for missing dependencies. */
export function syncStep2Message(doc: Y.Doc, stateVector?: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_SYNC)
  encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2)
  encoding.writeVarUint8Array(e, encodeIntegratedState(doc, stateVector))
  return encoding.toUint8Array(e)
}

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

export function updateMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_SYNC)
  syncProtocol.writeUpdate(e, update)
  return encoding.toUint8Array(e)
}

export function awarenessMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

/**
 * An awareness update naming no client: every y-protocols client applies it as a no-op, and the
 * stock provider counts it as "heard from the server" (see Limits.keepAliveIntervalMs).
 */
export const KEEP_ALIVE_MESSAGE: Uint8Array = awarenessMessage(new Uint8Array([0]))

/** The standard y-protocols "permission denied" message: stock clients log the reason. */
export function permissionDeniedMessage(reason: string): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_AUTH)
  authProtocol.writePermissionDenied(e, reason)
  return encoding.toUint8Array(e)
}

export function persistedMessage(requestId: number, stateVector: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_PERSISTED)
  encoding.writeVarUint(e, requestId)
  encoding.writeVarUint8Array(e, stateVector)
  return encoding.toUint8Array(e)
}
