// Every assignment to every map key, with its writer and what the writer had seen, so a
// late-arriving concurrent assignment is compared with all earlier ones (arrival order free).
// Values are captured when the item integrates, before any garbage collection.
import * as Y from 'yjs'
import { mapWritesConflict, type MapWriteStamp } from '../../shared/conflicts/index.ts'

export interface MapWrite extends MapWriteStamp {
  value: unknown
}

/** The value of a write whose content arrived garbage-collected (ContentDeleted / GC). */
export const UNKNOWN: unique symbol = Symbol('unknown value')

export function valueAt(item: Y.Item, offset: number): unknown {
  if (item.content instanceof Y.ContentDeleted) return UNKNOWN
  const v: unknown = item.content.getContent()[offset]
  return v instanceof Y.AbstractType ? v.toJSON() : v
}

export class MapWrites {
  #keys = new Map<string, MapWrite[]>()

  /** Adds a write and returns the earlier writes it conflicts with. */
  add(key: string, write: MapWrite): MapWrite[] {
    let list = this.#keys.get(key)
    if (list === undefined) this.#keys.set(key, (list = []))
    const conflicts = list.filter((w) => mapWritesConflict(w, write))
    list.push(write)
    return conflicts
  }
}
