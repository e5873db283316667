// MESSAGE_CAUSAL for Polyphony's own clients (SDK and browser): before a local transaction's
// update goes out, tell the server what this replica had seen, so the conflict detector judges
// the update exactly instead of assuming the writer had seen everything sent to it.

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { MESSAGE_CAUSAL } from './protocol.ts'

export function causalMessage(doc: Y.Doc): Uint8Array {
  const stateVector = Y.encodeStateVector(doc)
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_CAUSAL)
  encoding.writeVarUint8Array(e, stateVector)
  // No structs: just the whole delete set.
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, stateVector))
  return encoding.toUint8Array(e)
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
