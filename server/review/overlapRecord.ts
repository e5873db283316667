// The operational conflict between an accepted proposal (earlier, already in the text) and a
// later accepted one whose stretch it rewrote. Shaped like the detector's text conflicts
// (server/conflicts/RecordBuilder.ts), so the Conflicts tab and applyResolution handle it:
// - region: both stretches and the earlier replacement, tombstones included;
// - each party's value is its version of the whole region: the earlier party's is the text as it
//   stands, the later party's is the text as it stood before the earlier edit with its own
//   stretch replaced (equal to the two replacements when both proposals cover the same words).
import { conflictId, sortParties, type ConflictRecord, type RelativePositionJson } from '../../shared/conflicts/index.ts'
import type { AppliedEdit } from '../../shared/review/index.ts'
import { inRanges, type TextUnits, type YId } from './textUnits.ts'

export interface OverlapInput {
  room: string
  docName: string
  units: TextUnits
  earlier: AppliedEdit
  later: { author: string; replacement: string; bs: number; be: number }
  now: number
}

export function overlapRecord({ room, docName, units, earlier, later, now }: OverlapInput): ConflictRecord {
  const touched = [...earlier.deleted, ...(earlier.inserted ? [earlier.inserted] : [])].flatMap((r) => units.seqsOf(r))
  const lo = Math.min(later.bs, ...touched)
  const hi = Math.max(later.be, ...touched)
  const isInserted = (id: YId) => earlier.inserted !== null && inRanges([earlier.inserted], id)
  let current = ''
  let before = ''
  let laterVersion = ''
  let k = 0
  let first: YId | null = null
  let last: YId | null = null
  for (const u of units.units(lo, hi)) {
    first ??= u.id
    last = u.id
    if (u.char !== null) current += u.char
    // The text before the earlier edit: its replacement out, what it deleted back in.
    let old: string | null
    if (isInserted(u.id)) old = null
    else if (inRanges(earlier.deleted, u.id)) old = earlier.quote[k++] ?? null
    else old = u.char
    if (old !== null) before += old
    if (u.seq === later.bs) laterVersion += later.replacement
    if (old !== null && (u.seq < later.bs || u.seq > later.be)) laterVersion += old
  }
  const start = position(units, first!, 0)
  const end = position(units, last!, -1)
  const location = { kind: 'text' as const, doc: docName, path: ['docs', docName], start, end, text: before, region: { start, end } }
  const parties = sortParties([
    { principal: earlier.author, value: current },
    { principal: later.author, value: laterVersion },
  ])
  const kind = 'overlapping-text-edit' as const
  return { id: conflictId(kind, room, location, parties), kind, doc: room, location, parties, status: 'open', detectedAt: now }
}

function position(units: TextUnits, id: YId, assoc: number): RelativePositionJson {
  const owner = units.text._item === null ? { tname: docNameOf(units) } : { type: { client: units.text._item.id.client, clock: units.text._item.id.clock } }
  return { ...owner, item: { client: id.client, clock: id.clock }, assoc }
}

function docNameOf(units: TextUnits): string {
  const doc = units.text.doc
  if (!doc) return ''
  for (const [name, type] of doc.share) if ((type as unknown) === units.text) return name
  return ''
}
