// Every write of every map key (sets and explicit deletes), with its writer, what the writer
// had seen and the value it wrote, so a late-arriving concurrent write is compared with all
// earlier ones (arrival order free). Concurrent writes of one key form one group: one record per
// contested key, listing every party.
import * as Y from 'yjs'
import { mapWritesConcurrent, type MapWriteStamp, type TypedValue } from '../../shared/conflicts/index.ts'

/** How a write reached the detector: a live incremental update, a sync reply (offline work), the stored log, the server. */
export type Via = 'online' | 'offline' | 'stored' | 'server'

export interface MapWrite extends MapWriteStamp {
  /** The item a set wrote (null for a delete). */
  item: Y.Item | null
  /** The key's value as the writer saw it: a set's origin, a delete's deleted item (null: none). */
  base: Y.Item | null
  /** What was written, with its types; null when its content arrived garbage-collected. */
  typed: TypedValue | null
  via: Via
  group: MapGroup | null
}

export interface MapGroup {
  path: string[]
  members: MapWrite[]
  /** Fixed when the group's record is first emitted, so later joiners update the same record. */
  id: string | null
  /** canonical JSON of the last emitted parties (to report only changes). */
  emitted: string | null
}

/** Walks at most this far along one key's history to prove a writer had not seen a value. */
const MAX_WALK = 10_000

/** The structure proves x's writer had not seen set y: the value x replaced lies before y in the key. */
export function missed(x: MapWrite, y: MapWrite): boolean {
  if (y.item === null) return false // a delete leaves no trace in the key's item list
  if (x.base === null) return true // x's writer had no value at this key at all
  if (x.base === y.item) return false
  let steps = 0
  for (let it = x.base.right; it !== null && steps < MAX_WALK; it = it.right, steps++) if (it === y.item) return true
  return false
}

export class MapWrites {
  #keys = new Map<string, MapWrite[]>()

  /** Adds a write already judged (loaded from a snapshot) without comparing it. */
  seed(key: string, write: MapWrite): void {
    let list = this.#keys.get(key)
    if (list === undefined) this.#keys.set(key, (list = []))
    list.push(write)
  }

  /** Adds a write and returns the groups it joined (merged into one), or null if it collides with nothing. */
  add(key: string, path: string[], write: MapWrite): MapGroup | null {
    let list = this.#keys.get(key)
    if (list === undefined) this.#keys.set(key, (list = []))
    let group: MapGroup | null = null
    for (const other of list) {
      // Two writes from the stored log were judged when they arrived (the log holds the result);
      // replay, with less evidence, must not judge them again.
      if (other.via === 'stored' && write.via === 'stored') continue
      if (!mapWritesConcurrent(other, write, missed)) continue
      const g = other.group ?? { path, members: [other], id: null, emitted: null }
      other.group = g
      if (group === null) group = g
      else if (g !== group) group = merge(group, g)
    }
    list.push(write)
    if (group !== null) {
      group.members.push(write)
      write.group = group
    }
    return group
  }
}

function merge(into: MapGroup, from: MapGroup): MapGroup {
  for (const m of from.members) {
    m.group = into
    if (!into.members.includes(m)) into.members.push(m)
  }
  into.id ??= from.id
  return into
}
