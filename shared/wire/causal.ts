// MESSAGE_CAUSAL (see messageTypes.ts) for Polyphony's own clients (SDK and browser): before a
// local transaction's update goes out, tell the server what this replica had seen, so the
// conflict detector judges the update exactly instead of assuming the writer had seen
// everything sent to it.

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { MESSAGE_CAUSAL } from './messageTypes.ts'
import { frame } from './frame.ts'

export interface CausalFrame {
  stateVector: Uint8Array
  /** An update with no structs: the writer's whole delete set. */
  deleteSet: Uint8Array
}

export function causalMessage(doc: Y.Doc): Uint8Array {
  const stateVector = Y.encodeStateVector(doc)
  return frame(MESSAGE_CAUSAL, (e) => {
    encoding.writeVarUint8Array(e, stateVector)
    // No structs: just the whole delete set.
    encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, stateVector))
  })
}

/** Reads the rest of a causal frame (after its type), validated whole: throws if malformed. */
export function readCausal(decoder: decoding.Decoder): CausalFrame {
  const stateVector = decoding.readVarUint8Array(decoder)
  const deleteSet = decoding.readVarUint8Array(decoder)
  Y.decodeStateVector(stateVector) // throws if malformed
  if (Y.decodeUpdate(deleteSet).structs.length > 0) throw new Error('causal delete set carries structs')
  return { stateVector, deleteSet }
}

/**
 * Sends causal metadata before every local transaction of `doc` while `socket()` is open.
 * Register it after the provider: 'beforeTransaction' runs before the provider's 'update'.
 */
export function sendCausalMetadata(doc: Y.Doc, socket: () => { readyState: number; send(data: Uint8Array): void } | null): () => void {
  const onBefore = (tr: Y.Transaction) => {
    const ws = socket()
    if (tr.local && ws && ws.readyState === 1) ws.send(causalMessage(doc))
  }
  doc.on('beforeTransaction', onBefore)
  return () => doc.off('beforeTransaction', onBefore)
}
