// MESSAGE_PERSISTED (see messageTypes.ts): a client asks "is everything I sent before this
// durable?", the server answers with the request id and the state vector it has stored.

import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { MESSAGE_PERSISTED } from './messageTypes.ts'
import { frame } from './frame.ts'

export interface PersistedReply {
  /** The id of the request this answers; 0 for an unsolicited "persisted up to here". */
  requestId: number
  stateVector: Uint8Array
}

/** client -> server */
export function persistedRequest(requestId: number): Uint8Array {
  return frame(MESSAGE_PERSISTED, (e) => encoding.writeVarUint(e, requestId))
}

/** server -> client */
export function persistedMessage(requestId: number, stateVector: Uint8Array): Uint8Array {
  return frame(MESSAGE_PERSISTED, (e) => {
    encoding.writeVarUint(e, requestId)
    encoding.writeVarUint8Array(e, stateVector)
  })
}

/** Reads the rest of a request (after its type): the request id. */
export function readPersistedRequest(decoder: decoding.Decoder): number {
  return decoding.readVarUint(decoder)
}

/** Reads the rest of a reply (after its type). */
export function readPersistedReply(decoder: decoding.Decoder): PersistedReply {
  const requestId = decoding.readVarUint(decoder)
  return { requestId, stateVector: decoding.readVarUint8Array(decoder) }
}
