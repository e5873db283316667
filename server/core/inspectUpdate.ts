// Reads an incoming update completely before anything is stored or applied, so a malformed
// one is refused whole, and tells whether it depends on structs the room does not have yet.

import * as Y from 'yjs'

export interface UpdateInfo {
  /** Client ids whose structs the update carries (attribution). */
  clients: number[]
  /** No structs and no deletions: nothing to store. */
  empty: boolean
  /**
   * Starts beyond what the room has (or has queued) for some client, or deletes items the
   * room does not have: Yjs would keep it pending, so it counts against the pending bound.
   */
  hasGap: boolean
  /** Per client: the clock right after this update's last struct. */
  ends: Map<number, number>
}

/**
 * `stateOf(client)` is the clock the room will have for `client` once its queue is applied.
 * Throws when the update does not decode, or has an empty delete range (Yjs never writes
 * one, and applying one throws after the update would already be stored).
 */
export function inspectUpdate(update: Uint8Array, stateOf: (client: number) => number): UpdateInfo {
  const { structs, ds } = Y.decodeUpdate(update)
  const firstClock = new Map<number, number>()
  const ends = new Map<number, number>()
  for (const s of structs) {
    const client = s.id.client
    const prev = firstClock.get(client)
    if (prev === undefined || s.id.clock < prev) firstClock.set(client, s.id.clock)
    ends.set(client, Math.max(ends.get(client) ?? 0, s.id.clock + s.length))
  }
  let hasGap = false
  for (const [client, clock] of firstClock) {
    if (clock > stateOf(client)) hasGap = true
  }
  for (const [client, ranges] of ds.clients) {
    const known = Math.max(stateOf(client), ends.get(client) ?? 0)
    for (const r of ranges) {
      if (!(r.len > 0)) throw new Error('empty delete range')
      if (r.clock + r.len > known) hasGap = true
    }
  }
  return {
    clients: [...firstClock.keys()],
    empty: structs.length === 0 && ds.clients.size === 0,
    hasGap,
    ends,
  }
}

/** Bytes of updates Yjs is holding back because their dependencies are missing. */
export function pendingBytes(doc: Y.Doc): number {
  return (doc.store.pendingStructs?.update.length ?? 0) + (doc.store.pendingDs?.length ?? 0)
}
