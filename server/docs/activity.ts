// When each document of a shared room last changed, and by whom, for the document list.
// The stored log attributes updates to principals but not to documents, so this is observed
// live: from the moment a shared room loads (the room's extension is wrapped, see watch()),
// kept by room name so it survives the room unloading when idle; lost on restart (null then).

import * as Y from 'yjs'
import { docsMap, titlesMap } from '../../shared/documents.ts'
import type { TransactionOrigin } from '../../shared/origin.ts'
import type { RoomExtension } from '../core/RoomExtension.ts'

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

  /** Wraps a room's extension so that its document is observed from load on. */
  watch(room: string, ext: RoomExtension | undefined): RoomExtension | undefined {
    if (!ext) return ext
    return {
      get gc() {
        return ext.gc
      },
      get wantsAcks() {
        return ext.wantsAcks
      },
      load: (doc, state) => {
        this.observe(room, doc)
        ext.load(doc, state)
      },
      integrate: (doc, update, writer, causal) => ext.integrate(doc, update, writer, causal),
      delivered: (session, principal) => ext.delivered(session, principal),
      probed: (session) => ext.probed(session),
      acknowledged: (session, principal) => ext.acknowledged(session, principal),
      connectionClosed: (conn) => ext.connectionClosed(conn),
      destroy: () => ext.destroy(),
    }
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
