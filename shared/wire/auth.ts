// Auth frames (MESSAGE_AUTH): the standard y-protocols "permission denied", which stock
// clients log and ours show (e.g. a write with read-only access).

import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as authProtocol from 'y-protocols/auth'
import { MESSAGE_AUTH } from './messageTypes.ts'

export function permissionDeniedMessage(reason: string): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_AUTH)
  authProtocol.writePermissionDenied(e, reason)
  return encoding.toUint8Array(e)
}

/** Reads the rest of an auth frame (after its type): the reason, or null for another auth subtype. */
export function readPermissionDenied(decoder: decoding.Decoder): string | null {
  if (decoding.readVarUint(decoder) !== authProtocol.messagePermissionDenied) return null
  return decoding.readVarString(decoder)
}
