// Sync frames (MESSAGE_SYNC): the y-protocols sync step 1, step 2 and update, built whole.

import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { MESSAGE_SYNC } from './messageTypes.ts'
import { frame } from './frame.ts'

export interface SyncFrame {
  /** y-protocols messageYjsSyncStep1, messageYjsSyncStep2 or messageYjsUpdate. */
  subtype: number
  /** A state vector for step 1, an update otherwise. */
  payload: Uint8Array
}

/** A sync frame of any subtype carrying `payload` (hostile tests send subtypes that do not exist). */
export function syncMessage(subtype: number, payload: Uint8Array): Uint8Array {
  return frame(MESSAGE_SYNC, (e) => {
    encoding.writeVarUint(e, subtype)
    encoding.writeVarUint8Array(e, payload)
  })
}

/** Sync step 1: "here is my state vector, send me what I miss". */
export function syncStep1Message(doc: Y.Doc): Uint8Array {
  return syncMessage(syncProtocol.messageYjsSyncStep1, Y.encodeStateVector(doc))
}

/** Sync step 2: the answer to a step 1, `update` holding what the asker misses. */
export function syncStep2Message(update: Uint8Array): Uint8Array {
  return syncMessage(syncProtocol.messageYjsSyncStep2, update)
}

export function updateMessage(update: Uint8Array): Uint8Array {
  return syncMessage(syncProtocol.messageYjsUpdate, update)
}

/** Reads the rest of a sync frame (after its type); every subtype carries one varUint8Array. */
export function readSync(decoder: decoding.Decoder): SyncFrame {
  const subtype = decoding.readVarUint(decoder)
  return { subtype, payload: decoding.readVarUint8Array(decoder) }
}
