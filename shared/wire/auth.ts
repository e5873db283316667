// Auth frames (MESSAGE_AUTH): the standard y-protocols "permission denied", which stock
// clients log and ours show (e.g. a write with read-only access).

import * as decoding from 'lib0/decoding'
import * as authProtocol from 'y-protocols/auth'
import { MESSAGE_AUTH } from './messageTypes.ts'
import { frame } from './frame.ts'

export function permissionDeniedMessage(reason: string): Uint8Array {
  return frame(MESSAGE_AUTH, (e) => authProtocol.writePermissionDenied(e, reason))
}

/** Reads the rest of an auth frame (after its type): the reason, or null for another auth subtype. */
export function readPermissionDenied(decoder: decoding.Decoder): string | null {
  if (decoding.readVarUint(decoder) !== authProtocol.messagePermissionDenied) return null
  return decoding.readVarString(decoder)
}
