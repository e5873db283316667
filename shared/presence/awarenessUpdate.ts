// The entries of a y-protocols awareness update, read and written whole: the server checks
// ownership and vouches for identities before applying one, the browser sanitises one before
// its editor and panels see it.

import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

export interface AwarenessEntry {
  clientId: number
  clock: number
  /** null removes the entry. */
  state: unknown
}

/** Parses an awareness update fully (throws on malformed input, including bad JSON). */
export function parseAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const d = decoding.createDecoder(update)
  const count = decoding.readVarUint(d)
  const entries: AwarenessEntry[] = []
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(d)
    const clock = decoding.readVarUint(d)
    const state: unknown = JSON.parse(decoding.readVarString(d))
    entries.push({ clientId, clock, state })
  }
  if (decoding.hasContent(d)) throw new Error('trailing bytes after awareness update')
  return entries
}

export function encodeAwarenessEntries(entries: AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, entries.length)
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(e, clientId)
    encoding.writeVarUint(e, clock)
    encoding.writeVarString(e, JSON.stringify(state))
  }
  return encoding.toUint8Array(e)
}
