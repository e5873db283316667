// MESSAGE_CAUSAL (see messageTypes.ts) for Polyphony's own clients (SDK and browser): before a
// local transaction's update goes out, tell the server what this replica had seen, so the
// conflict detector judges the update exactly instead of assuming the writer had seen
// everything sent to it. A traced writer (an agent) adds the W3C `traceparent` of the span
// making the edit as an optional trailing field, so the server's ingest span joins its trace.

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { MESSAGE_CAUSAL } from './messageTypes.ts'
import { frame } from './frame.ts'

export interface CausalFrame {
  stateVector: Uint8Array
  /** An update with no structs: the writer's whole delete set. */
  deleteSet: Uint8Array
  /** The writer's W3C trace context, when it is traced and the field is well formed. */
  traceparent?: string
}

/** W3C trace context `traceparent`: version 00, 32-hex trace id, 16-hex span id, 2-hex flags. */
export const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

export function causalMessage(doc: Y.Doc, traceparent?: string): Uint8Array {
  const stateVector = Y.encodeStateVector(doc)
  return frame(MESSAGE_CAUSAL, (e) => {
    encoding.writeVarUint8Array(e, stateVector)
    // No structs: just the whole delete set.
    encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, stateVector))
    if (traceparent !== undefined && TRACEPARENT.test(traceparent)) encoding.writeVarString(e, traceparent)
  })
}

/**
 * Reads the rest of a causal frame (after its type), validated whole: throws if malformed. A
 * trailing trace context that is not a traceparent is dropped, not refused (telemetry never
 * costs a writer its connection).
 */
export function readCausal(decoder: decoding.Decoder): CausalFrame {
  const stateVector = decoding.readVarUint8Array(decoder)
  const deleteSet = decoding.readVarUint8Array(decoder)
  Y.decodeStateVector(stateVector) // throws if malformed
  if (Y.decodeUpdate(deleteSet).structs.length > 0) throw new Error('causal delete set carries structs')
  const traceparent = decoding.hasContent(decoder) ? decoding.readVarString(decoder) : undefined
  return { stateVector, deleteSet, ...(traceparent !== undefined && TRACEPARENT.test(traceparent) ? { traceparent } : {}) }
}

/**
 * Sends causal metadata before every local transaction of `doc` while `socket()` is open.
 * Register it after the provider: 'beforeTransaction' runs before the provider's 'update'.
 * `traceparent()`: the active trace context, for traced writers.
 */
export function sendCausalMetadata(
  doc: Y.Doc,
  socket: () => { readyState: number; send(data: Uint8Array): void } | null,
  traceparent: () => string | undefined = () => undefined,
): () => void {
  const onBefore = (tr: Y.Transaction) => {
    const ws = socket()
    if (tr.local && ws && ws.readyState === 1) ws.send(causalMessage(doc, traceparent()))
  }
  doc.on('beforeTransaction', onBefore)
  return () => doc.off('beforeTransaction', onBefore)
}
