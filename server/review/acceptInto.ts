// Accepting a proposed edit, decided on the document it will change (the server's scratch copy
// inside Room.writeAsServer, so nothing can slip in between the check and the write).
//
// A proposal applies only while its anchor resolves exactly: the text it was about is still
// there, unchanged. Otherwise it is never applied blindly:
// - if an earlier *accepted proposal* deleted characters of this proposal's stretch, the two
//   are an operational conflict (two accepted edits of the same words) → a conflict record;
// - else the text was changed by ordinary edits → stale.
import * as Y from 'yjs'
import { resolveAnchor } from '../../shared/anchoring/index.ts'
import type { Proposal } from '../../shared/annotations.ts'
import type { AppliedEdit } from '../../shared/review/index.ts'
import type { ConflictRecord } from '../../shared/conflicts/index.ts'
import { TextUnits, inRanges, visibleIds } from './textUnits.ts'
import { overlapRecord } from './overlapRecord.ts'

export type AcceptVerdict =
  { kind: 'applied'; applied: AppliedEdit } | { kind: 'missing' } | { kind: 'conflict'; record: ConflictRecord; earlier: string } | { kind: 'stale'; now: string | null }

export interface AcceptInput {
  /** Room name of the shared document, e.g. `w1/shared`. */
  room: string
  proposal: Proposal
  /** Earlier accepted proposals (review key → how they changed the text), newest first. */
  accepted: Array<{ key: string; edit: AppliedEdit }>
  now: number
}

export function acceptInto(doc: Y.Doc, input: AcceptInput): AcceptVerdict {
  const { proposal: p } = input
  const text = doc.getMap('docs').get(p.doc)
  if (!(text instanceof Y.Text)) return { kind: 'missing' }
  const r = resolveAnchor(text, p.target)
  if (r.status === 'exact') {
    const deleted = visibleIds(text, r.start, r.end)
    const clock = Y.getState(doc.store, doc.clientID)
    text.delete(r.start, r.end - r.start)
    if (p.replacement.length > 0) text.insert(r.start, p.replacement)
    const inserted = p.replacement.length > 0 ? { client: doc.clientID, clock, length: p.replacement.length } : null
    return { kind: 'applied', applied: { doc: p.doc, author: p.author, replacement: p.replacement, quote: p.target.quote.exact, deleted, inserted } }
  }
  const units = new TextUnits(text)
  const bs = units.seqOf(p.target.start.item)
  const be = units.seqOf(p.target.end.item)
  const now = between(text, p) ?? (r.status === 'orphaned' ? null : text.toString().slice(r.start, r.end))
  if (bs === null || be === null || bs > be) return { kind: 'stale', now }
  for (const { key, edit } of input.accepted) {
    if (edit.doc !== p.doc) continue
    const broke = [...units.units(bs, be)].some((u) => inRanges(edit.deleted, u.id))
    if (!broke) continue
    const record = overlapRecord({ room: input.room, docName: p.doc, units, earlier: edit, later: { author: p.author, replacement: p.replacement, bs, be }, now: input.now })
    return { kind: 'conflict', record, earlier: key }
  }
  return { kind: 'stale', now }
}

/** What the proposal's own positions enclose now (its stretch as edited), or null when they collapsed. */
function between(text: Y.Text, p: Proposal): string | null {
  const doc = text.doc!
  const at = (json: Proposal['target']['start']) => Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), doc)
  const start = at(p.target.start)
  const end = at(p.target.end)
  if (!start || !end || start.type !== text || end.type !== text || start.index >= end.index) return null
  return text.toString().slice(start.index, end.index)
}
