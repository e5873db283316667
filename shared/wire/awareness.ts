// Awareness frames (MESSAGE_AWARENESS); the entries inside: shared/presence/awarenessUpdate.ts.

import * as encoding from 'lib0/encoding'
import { MESSAGE_AWARENESS } from './messageTypes.ts'
import { frame } from './frame.ts'

export function awarenessMessage(update: Uint8Array): Uint8Array {
  return frame(MESSAGE_AWARENESS, (e) => encoding.writeVarUint8Array(e, update))
}

/**
 * An awareness update naming no client: every y-protocols client applies it as a no-op, and the
 * stock provider counts it as "heard from the server" (see Limits.keepAliveIntervalMs).
 */
export const KEEP_ALIVE_MESSAGE: Uint8Array = awarenessMessage(new Uint8Array([0]))
