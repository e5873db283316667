// When each document of a shared room last changed, and by whom, for the document list.
// Observed on the room's Y.Doc from the first time the API looks (the stored log attributes
// updates to principals but not to documents); earlier changes show as unknown (null).

import * as Y from 'yjs'
import { docsMap, titlesMap } from '../../shared/documents.ts'
import type { TransactionOrigin } from '../../shared/origin.ts'

export interface LastChange {
  at: number
  by: string | null
}

const watched = new WeakMap<Y.Doc, Map<string, LastChange>>()

/** The last changes seen on `doc` by document id; starts watching on the first call. */
export function documentActivity(doc: Y.Doc): ReadonlyMap<string, LastChange> {
  let seen = watched.get(doc)
  if (seen) return seen
  const changes = new Map<string, LastChange>()
  seen = changes
  watched.set(doc, changes)
  const docs: unknown = docsMap(doc)
  const titles: unknown = titlesMap(doc)
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    const origin = tr.origin as TransactionOrigin | null
    const change: LastChange = { at: Date.now(), by: origin && 'principal' in origin ? origin.principal : null }
    for (const [type, keys] of tr.changed) {
      if (type === docs || type === titles) {
        for (const key of keys) if (key !== null) changes.set(key, change)
      } else if (type instanceof Y.Text) {
        const item = type._item
        if (item && item.parent === docs && item.parentSub !== null) changes.set(item.parentSub, change)
      }
    }
  })
  return changes
}
