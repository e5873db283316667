// Every frame on a Polyphony socket: a varUint message type, then what that type carries.

import * as encoding from 'lib0/encoding'

export function frame(type: number, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, type)
  write(e)
  return encoding.toUint8Array(e)
}
