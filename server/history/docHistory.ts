// Reading the history a gc-off room document keeps: which documents changed since a snapshot,
// a document's text at a snapshot, the spans inserted and deleted between two snapshots, and
// who wrote each run of the current text. Pure functions over Yjs; authors are resolved by the
// caller from client ids (server/core/clientIds.ts).

import * as Y from 'yjs'
import { docsMap, documentText } from '../../shared/documents.ts'

export type DiffSpan = { kind: 'same' | 'inserted' | 'deleted'; text: string; principal: string | null }
export type BlameRun = { text: string; principal: string; at: number | null }

/** Ids of documents whose text has structs or deletions not in `prev` (every document when null). */
export function changedDocs(doc: Y.Doc, prev: Y.Snapshot | null): string[] {
  const out: string[] = []
  docsMap(doc).forEach((value, id) => {
    if (!(value instanceof Y.Text)) return
    if (!prev || isNew(value._item, prev)) return void out.push(id)
    for (let item = value._start; item; item = item.right) {
      if (isNew(item, prev) || (item.deleted && !Y.isDeleted(prev.ds, item.id))) return void out.push(id)
    }
  })
  return out
}

const isNew = (item: Y.Item | null, prev: Y.Snapshot): boolean => item !== null && item.id.clock >= (prev.sv.get(item.id.client) ?? 0)

/** The document's text as it was at `snapshot`, or null when it did not exist then. */
export function textAt(doc: Y.Doc, snapshot: Y.Snapshot, id: string): string | null {
  const past = Y.createDocFromSnapshot(doc, snapshot)
  try {
    return documentText(past, id)?.toString() ?? null
  } finally {
    past.destroy()
  }
}

/**
 * What changed in document `id` from snapshot `from` to `to`: the text in order, each span
 * inserted, deleted or the same, with the principal who wrote its characters.
 */
export function diffSpans(doc: Y.Doc, id: string, from: Y.Snapshot, to: Y.Snapshot, authorOf: (client: number) => string): DiffSpan[] | null {
  // toDelta with snapshots splits items in the document it reads: read a copy, never the live room.
  const copy = new Y.Doc({ gc: false })
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
    const text = documentText(copy, id)
    if (!text) return null
    const delta = text.toDelta(to, from, (type: 'added' | 'removed', itemId: Y.ID) => ({ type, user: itemId.client })) as Array<{
      insert?: unknown
      attributes?: { ychange?: { type: 'added' | 'removed'; user: number } }
    }>
    const spans: DiffSpan[] = []
    for (const op of delta) {
      if (typeof op.insert !== 'string') continue
      const change = op.attributes?.ychange
      const kind = !change ? 'same' : change.type === 'added' ? 'inserted' : 'deleted'
      const principal = change ? authorOf(change.user) : null
      const last = spans.at(-1)
      if (last && last.kind === kind && last.principal === principal) last.text += op.insert
      else spans.push({ kind, text: op.insert, principal })
    }
    return spans
  } finally {
    copy.destroy()
  }
}

/** Runs of the current text of document `id` with the principal who wrote them and when (by). */
export function blameRuns(doc: Y.Doc, id: string, authorOf: (client: number) => string, timeOf: (item: Y.ID) => number | null): BlameRun[] | null {
  const text = documentText(doc, id)
  if (!text) return null
  const runs: BlameRun[] = []
  for (let item = text._start; item; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentString)) continue
    const principal = authorOf(item.id.client)
    const at = timeOf(item.id)
    const last = runs.at(-1)
    if (last && last.principal === principal && last.at === at) last.text += item.content.str
    else runs.push({ text: item.content.str, principal, at })
  }
  return runs
}
