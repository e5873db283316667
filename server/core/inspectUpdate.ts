// Reads an incoming update completely before anything is stored or applied, so a malformed
// one is refused whole, and works out what it depends on: the state the room's document must
// have, per client, before the update integrates without anything left pending.

import * as Y from 'yjs'

export interface UpdateInfo {
  /** Client ids whose structs the update carries (attribution). */
  clients: number[]
  /** No structs and no deletions: nothing to store. */
  empty: boolean
  /**
   * Depends on something the room does not have (or has queued) yet: structs that start
   * beyond the room's clock, items whose origin or parent is missing, deletions of unknown
   * items. The room holds it back and it counts against the pending bounds.
   */
  hasGap: boolean
  /** Per client: the clock right after this update's last struct. */
  ends: Map<number, number>
  /** Per client: the clock the document must have reached before this update can integrate. */
  needs: Map<number, number>
  /** Per client: the ranges the update deletes (a sync step 2 carries its sender's whole delete set). */
  deletes: Map<number, ReadonlyArray<{ clock: number; len: number }>>
}

/**
 * `stateOf(client)` is the clock the room will have for `client` once its queue is applied.
 * One pass over the update (O(update), whatever the room holds pending). Throws when the
 * update does not decode, or has an empty delete range (Yjs never writes one, and applying
 * one throws after the update would already be stored).
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
  const needs = new Map<number, number>(firstClock)
  const need = (client: number, clock: number) => {
    if (clock > (needs.get(client) ?? 0)) needs.set(client, clock)
  }
  /** Items of `client` below `end` must exist: in the document, or carried by this update. */
  const requireUpTo = (client: number, end: number) => {
    if (end > (ends.get(client) ?? 0)) need(client, end)
  }
  for (const s of structs) {
    if (s instanceof Y.Item) {
      for (const dep of [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null]) {
        if (!dep) continue
        // What an item was inserted next to or into existed before it: never a later item of its own client.
        if (dep.client === s.id.client && dep.clock >= s.id.clock) throw new Error('item depends on a later item of its own client')
        requireUpTo(dep.client, dep.clock + 1)
      }
    } else if (!(s instanceof Y.GC)) {
      // A Skip: the update itself has a hole there (a merge of gapped updates).
      need(s.id.client, s.id.clock + s.length)
    }
  }
  for (const [client, ranges] of ds.clients) {
    for (const r of ranges) {
      if (!(r.len > 0)) throw new Error('empty delete range')
      requireUpTo(client, r.clock + r.len)
    }
  }
  let hasGap = false
  for (const [client, clock] of needs) if (clock > stateOf(client)) hasGap = true
  return {
    clients: [...firstClock.keys()],
    empty: structs.length === 0 && ds.clients.size === 0,
    hasGap,
    ends,
    needs,
    deletes: ds.clients,
  }
}

/**
 * Whether every range in `deletes` is deleted in `doc` already: O(items in the ranges), what
 * applying them would walk anyway. A range beyond the document's clock counts as new.
 */
export function deletesNothingNew(doc: Y.Doc, deletes: UpdateInfo['deletes']): boolean {
  for (const [client, ranges] of deletes) {
    const structs = doc.store.clients.get(client)
    if (structs === undefined) return false
    const state = Y.getState(doc.store, client)
    for (const r of ranges) {
      const end = r.clock + r.len
      if (end > state) return false
      for (let i = Y.findIndexSS(structs, r.clock); i < structs.length && structs[i].id.clock < end; i++) if (!structs[i].deleted) return false
    }
  }
  return true
}

/** Whether `doc` has everything `needs` asks for. O(clients in the update). */
export function needsMet(doc: Y.Doc, needs: Map<number, number>): boolean {
  for (const [client, clock] of needs) if (Y.getState(doc.store, client) < clock) return false
  return true
}

/** Bytes of updates Yjs itself is holding back (only ever from stored updates replayed at load). */
export function yjsPendingBytes(doc: Y.Doc): number {
  return (doc.store.pendingStructs?.update.length ?? 0) + (doc.store.pendingDs?.length ?? 0)
}
