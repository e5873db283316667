// Awareness frames (MESSAGE_AWARENESS); the entries inside: shared/presence/awarenessUpdate.ts.

import * as encoding from 'lib0/encoding'
import { MESSAGE_AWARENESS } from './messageTypes.ts'

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
