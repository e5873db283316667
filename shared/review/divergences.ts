// Interpretive differences: annotations from several namespaces grouped by the stretch of
// shared text they read. Overlapping anchors form one group; a group shows each principal's
// readings side by side and what they agree on (agreement.ts). Nothing here is ever resolved.
// Pure. Work is bounded (limits.ts): at most READING_LIMITS.perNamespaceDoc annotations per
// namespace are placed, quote searches stop at a time budget, and what was not placed is
// reported in `skipped`.

import type * as Y from 'yjs'
import { AnchorPlacement, quoteChanged, type OrphanReason } from '../anchoring/index.ts'
import { isSuperseded, type Annotation } from '../annotations.ts'
import { agreementKinds, agreementOf, synonymIndex, DEFAULT_VOCABULARY, type Agreement, type AgreementKind, type SynonymIndex } from './agreement.ts'
import { capPerNamespace } from './limits.ts'
import type { AnnotationDecision, ProposalView, Reply } from './state.ts'

export interface PlacedAnnotation {
  id: string
  label: string | null
  comment: string
  severity: string | null
  createdAt: number
  /** Where it is now: exact (relative positions hold) or fuzzy (re-anchored by quote). */
  placement: 'exact' | 'fuzzy'
  start: number
  end: number
  /** The quoted words read differently now (edits next to them do not count). */
  changedSince: boolean
  quote: string
  /** The author's newer reading of this stretch (present only when earlier readings are shown). */
  supersededBy?: string
  /** Set by withReview: kept or promoted (null: no decision yet). */
  decision?: AnnotationDecision | null
  /** Set by withReview: people's replies, oldest first. */
  replies?: Reply[]
}

export interface Reading {
  principal: string
  annotations: PlacedAnnotation[]
}

export interface DivergenceGroup {
  range: { start: number; end: number; text: string }
  readings: Reading[]
  agreement: Agreement
}

export interface Orphan {
  principal: string
  id: string
  quote: string
  reason: OrphanReason
}

/** Annotations not placed, per namespace: beyond the per-namespace cap, invalid values (e.g. beyond the anchor limits), or not reached within the time budget. */
export interface Skipped {
  principal: string
  reason: 'over-limit' | 'invalid' | 'time-budget'
  count: number
}

export interface ReadingsCount {
  stretches: number
  /** Stretches one principal read. */
  singleReading: number
  /** Stretches several principals read. */
  severalReadings: number
  /** Stretches with a point every reader made / some but not all made / only one made (a stretch may count in several). */
  fullAgreement: number
  partialAgreement: number
  difference: number
}

export interface Divergences {
  /** The document id. */
  doc: string
  /** Its display title (the API adds it; the id when it has none). */
  title?: string
  groups: DivergenceGroup[]
  orphans: Orphan[]
  summary: ReadingsCount
  skipped: Skipped[]
  /** Readings their authors replaced with a newer one: hidden unless `showSuperseded`, then listed and marked. */
  superseded?: number
  /** Proposed edits on this document from the readable namespaces (the API adds them). */
  proposals?: ProposalView[]
}

export interface GroupOptions {
  /** Synonym index of the workspace vocabulary (agreement.ts); the default vocabulary otherwise. */
  synonyms?: SynonymIndex
  /** Values per namespace on this document that did not fit the annotation schema. */
  invalid?: ReadonlyMap<string, number>
  /** List superseded readings (marked `supersededBy`) instead of hiding them. */
  showSuperseded?: boolean
  /** Time for quote searches (default: no limit beyond the per-anchor bounds). */
  budgetMs?: number
  now?: () => number
}

const DEFAULT_SYNONYMS = synonymIndex(DEFAULT_VOCABULARY)

/**
 * The bounded work of grouping: the cheap placement of every anchor happens here; run the
 * quote searches (`placement.runFor`, or step by step to yield between them), then `finish`.
 */
export function prepareDivergences(doc: string, text: Y.Text, byPrincipal: Map<string, Annotation[]>, options: GroupOptions = {}) {
  const skipped: Skipped[] = []
  const items: Array<{ owner: string; anchor: Annotation['target']; item: Annotation }> = []
  let superseded = 0
  const onDoc = new Map(
    [...byPrincipal].map(([principal, list]) => {
      const ids = new Set(list.map((a) => a.id))
      const mine = list.filter((a) => a.doc === doc)
      // Hidden readings cost nothing: they are dropped before the cap and before any search.
      const live = mine.filter((a) => !isSuperseded(a, ids))
      superseded += mine.length - live.length
      return [principal, options.showSuperseded ? mine : live] as const
    }),
  )
  const { kept, over } = capPerNamespace(onDoc)
  for (const principal of [...onDoc.keys()].sort()) {
    const n = over.get(principal) ?? 0
    if (n > 0) skipped.push({ principal, reason: 'over-limit', count: n })
    for (const ann of kept.get(principal) ?? []) items.push({ owner: principal, anchor: ann.target, item: ann })
    const invalid = options.invalid?.get(principal) ?? 0
    if (invalid > 0) skipped.push({ principal, reason: 'invalid', count: invalid })
  }
  const placement = new AnchorPlacement(text, items)
  const ownIds = new Map([...byPrincipal].map(([principal, list]) => [principal, new Set(list.map((a) => a.id))] as const))
  const finish = (): Divergences => ({ ...assemble(doc, placement, skipped, options.synonyms ?? DEFAULT_SYNONYMS, ownIds), superseded })
  return { placement, finish }
}

/** Groups the annotations on `doc` (keyed by namespace owner) against the current text. */
export function groupDivergences(doc: string, text: Y.Text, byPrincipal: Map<string, Annotation[]>, options: GroupOptions = {}): Divergences {
  const work = prepareDivergences(doc, text, byPrincipal, options)
  work.placement.runFor(options.budgetMs ?? Infinity, options.now)
  return work.finish()
}

function assemble(
  doc: string,
  placement: AnchorPlacement<Annotation>,
  skipped: Skipped[],
  synonyms: SynonymIndex,
  ownIds: ReadonlyMap<string, ReadonlySet<string>>,
): Omit<Divergences, 'superseded'> {
  const content = placement.text
  const placed: Array<{ principal: string; a: PlacedAnnotation }> = []
  const orphans: Orphan[] = []
  const late = new Map<string, number>()
  for (const { owner: principal, item: ann, resolution: r } of placement.results()) {
    if (r === null) {
      late.set(principal, (late.get(principal) ?? 0) + 1)
      continue
    }
    if (r.status === 'orphaned') {
      orphans.push({ principal, id: ann.id, quote: ann.target.quote.exact, reason: r.reason })
      continue
    }
    placed.push({
      principal,
      a: {
        id: ann.id,
        label: ann.body.label ?? null,
        comment: ann.body.comment,
        severity: ann.body.severity ?? null,
        createdAt: ann.createdAt,
        placement: r.status,
        start: r.start,
        end: r.end,
        changedSince: quoteChanged(content, ann.target, r),
        quote: ann.target.quote.exact,
        ...(isSuperseded(ann, ownIds.get(principal) ?? new Set()) ? { supersededBy: ann.supersededBy } : {}),
      },
    })
  }
  for (const [principal, count] of late) skipped.push({ principal, reason: 'time-budget', count })
  placed.sort((x, y) => x.a.start - y.a.start || x.a.end - y.a.end || x.principal.localeCompare(y.principal))
  const groups: DivergenceGroup[] = []
  let current: Array<{ principal: string; a: PlacedAnnotation }> = []
  let end = -1
  const flush = () => {
    if (current.length > 0) groups.push(makeGroup(current, content, synonyms))
    current = []
  }
  for (const p of placed) {
    // Overlap means sharing at least one character: [s, e) intervals.
    if (current.length > 0 && p.a.start >= end) flush()
    current.push(p)
    end = current.length === 1 ? p.a.end : Math.max(end, p.a.end)
  }
  flush()
  return { doc, groups, orphans, summary: countReadings(groups), skipped }
}

function makeGroup(members: Array<{ principal: string; a: PlacedAnnotation }>, content: string, synonyms: SynonymIndex): DivergenceGroup {
  const start = Math.min(...members.map((m) => m.a.start))
  const end = Math.max(...members.map((m) => m.a.end))
  const byPrincipal = new Map<string, PlacedAnnotation[]>()
  for (const m of members) byPrincipal.set(m.principal, [...(byPrincipal.get(m.principal) ?? []), m.a])
  const readings = [...byPrincipal.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([principal, annotations]) => ({ principal, annotations }))
  // Agreement is between current readings: an author's earlier reading is not another point.
  const current = readings.map((r) => ({ ...r, annotations: r.annotations.filter((a) => a.supersededBy === undefined) })).filter((r) => r.annotations.length > 0)
  return { range: { start, end, text: content.slice(start, end) }, readings, agreement: agreementOf(current, synonyms) }
}

/** Stretch counts by readers and by agreement kind: each count equals what filtering by that kind lists. */
export function countReadings(groups: DivergenceGroup[]): ReadingsCount {
  const count = (kind: AgreementKind) => groups.filter((g) => agreementKinds(g.agreement).includes(kind)).length
  const single = count('one-reading')
  return {
    stretches: groups.length,
    singleReading: single,
    severalReadings: groups.length - single,
    fullAgreement: count('full'),
    partialAgreement: count('partial'),
    difference: count('differ'),
  }
}
