// Reads an incoming update completely before anything is stored or applied, so a malformed
// one is refused whole, and tells whether it depends on structs the room does not have yet.

import * as Y from 'yjs'

export interface UpdateInfo {
  /** Client ids whose structs the update carries (attribution). */
  clients: number[]
  /** No structs and no deletions: nothing to store. */
  empty: boolean
  /** Starts beyond what the document has for some client: Yjs would keep it pending. */
  hasGap: boolean
}

/** Throws when the update does not decode. */
export function inspectUpdate(update: Uint8Array, doc: Y.Doc): UpdateInfo {
  const { structs, ds } = Y.decodeUpdate(update)
  const firstClock = new Map<number, number>()
  for (const s of structs) {
    const client = s.id.client
    const prev = firstClock.get(client)
    if (prev === undefined || s.id.clock < prev) firstClock.set(client, s.id.clock)
  }
  let hasGap = false
  for (const [client, clock] of firstClock) {
    if (clock > Y.getState(doc.store, client)) hasGap = true
  }
  return {
    clients: [...firstClock.keys()],
    empty: structs.length === 0 && ds.clients.size === 0,
    hasGap,
  }
}

/** Bytes of updates Yjs is holding back because their dependencies are missing. */
export function pendingBytes(doc: Y.Doc): number {
  return (doc.store.pendingStructs?.update.length ?? 0) + (doc.store.pendingDs?.length ?? 0)
}
