// When each document of a shared room last changed, and by whom, for the document list.
// The stored log attributes updates to principals but not to documents, so this is observed
// live: from the moment a shared room loads (SyncCore's onRoomLoaded, see server.ts),
// kept by room name so it survives the room unloading when idle; lost on restart (null then).

import * as Y from 'yjs'
import { docsMap, titlesMap } from '../../shared/documents.ts'
import type { TransactionOrigin } from '../../shared/origin.ts'

export interface LastChange {
  at: number
  by: string | null
}

export class DocumentActivity {
  readonly #byRoom = new Map<string, Map<string, LastChange>>()
  readonly #watched = new WeakSet<Y.Doc>()

  /** The last change seen of each document of `room`, by id. */
  of(room: string): ReadonlyMap<string, LastChange> {
    return this.#byRoom.get(room) ?? new Map()
  }

  /** Starts observing `doc` as `room` (once per document object). */
  observe(room: string, doc: Y.Doc): void {
    if (this.#watched.has(doc)) return
    this.#watched.add(doc)
    let changes = this.#byRoom.get(room)
    if (!changes) this.#byRoom.set(room, (changes = new Map()))
    const seen = changes
    const docs: unknown = docsMap(doc)
    const titles: unknown = titlesMap(doc)
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      const origin = tr.origin as TransactionOrigin | null
      // Loading stored state is not a change.
      if (origin?.source === 'storage') return
      const change: LastChange = { at: Date.now(), by: origin && 'principal' in origin ? origin.principal : null }
      for (const [type, keys] of tr.changed) {
        if (type === docs || type === titles) {
          for (const key of keys) if (key !== null) seen.set(key, change)
        } else if (type instanceof Y.Text) {
          const item = type._item
          if (item && item.parent === docs && item.parentSub !== null) seen.set(item.parentSub, change)
        }
      }
    })
  }
}
