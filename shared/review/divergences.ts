// Interpretive differences: annotations from several namespaces grouped by the stretch of
// shared text they read. Overlapping anchors form one group; a group shows each principal's
// readings side by side and what they agree on. Nothing here is ever resolved. Pure.

import type * as Y from 'yjs'
import { resolveAnchor, quoteIntact } from '../anchoring/index.ts'
import type { Annotation } from '../annotations.ts'
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
  /** The quoted text or its context changed since the annotation was made. */
  changedSince: boolean
  quote: string
  /** Set by withReview: kept or promoted (null: no decision yet). */
  decision?: AnnotationDecision | null
  /** Set by withReview: people's replies, oldest first. */
  replies?: Reply[]
}

export interface Reading {
  principal: string
  annotations: PlacedAnnotation[]
}

export interface Agreement {
  /** How many principals read this stretch. */
  readers: number
  /** Labels every reader used. */
  shared: string[]
  /** Label → the readers who used it, for labels not every reader used. */
  differing: Record<string, string[]>
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
  reason: string
}

export interface Divergences {
  /** The document id. */
  doc: string
  /** Its display title (the API adds it; the id when it has none). */
  title?: string
  groups: DivergenceGroup[]
  orphans: Orphan[]
  summary: { stretches: number; singleReading: number; severalReadings: number }
  /** Proposed edits on this document from the readable namespaces (the API adds them). */
  proposals?: ProposalView[]
}

/** Groups the annotations on `doc` (keyed by namespace owner) against the current text. */
export function groupDivergences(doc: string, text: Y.Text, byPrincipal: Map<string, Annotation[]>): Divergences {
  const placed: Array<{ principal: string; a: PlacedAnnotation }> = []
  const orphans: Orphan[] = []
  const content = text.toString()
  for (const [principal, annotations] of byPrincipal) {
    for (const ann of annotations) {
      if (ann.doc !== doc) continue
      const r = resolveAnchor(text, ann.target)
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
          changedSince: r.status === 'fuzzy' || !quoteIntact(text, ann.target),
          quote: ann.target.quote.exact,
        },
      })
    }
  }
  placed.sort((x, y) => x.a.start - y.a.start || x.a.end - y.a.end || x.principal.localeCompare(y.principal))
  const groups: DivergenceGroup[] = []
  let current: Array<{ principal: string; a: PlacedAnnotation }> = []
  let end = -1
  const flush = () => {
    if (current.length > 0) groups.push(makeGroup(current, content))
    current = []
  }
  for (const p of placed) {
    // Overlap means sharing at least one character: [s, e) intervals.
    if (current.length > 0 && p.a.start >= end) flush()
    current.push(p)
    end = current.length === 1 ? p.a.end : Math.max(end, p.a.end)
  }
  flush()
  const severalReadings = groups.filter((g) => g.readings.length > 1).length
  return {
    doc,
    groups,
    orphans,
    summary: { stretches: groups.length, singleReading: groups.length - severalReadings, severalReadings },
  }
}

function makeGroup(members: Array<{ principal: string; a: PlacedAnnotation }>, content: string): DivergenceGroup {
  const start = Math.min(...members.map((m) => m.a.start))
  const end = Math.max(...members.map((m) => m.a.end))
  const byPrincipal = new Map<string, PlacedAnnotation[]>()
  for (const m of members) byPrincipal.set(m.principal, [...(byPrincipal.get(m.principal) ?? []), m.a])
  const readings = [...byPrincipal.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([principal, annotations]) => ({ principal, annotations }))
  return { range: { start, end, text: content.slice(start, end) }, readings, agreement: agreementOf(readings) }
}

export function agreementOf(readings: Reading[]): Agreement {
  const users = new Map<string, Set<string>>()
  for (const r of readings) {
    for (const a of r.annotations) {
      if (a.label === null) continue
      if (!users.has(a.label)) users.set(a.label, new Set())
      users.get(a.label)!.add(r.principal)
    }
  }
  const shared: string[] = []
  const differing: Record<string, string[]> = {}
  for (const [label, who] of [...users.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (who.size === readings.length && readings.length > 1) shared.push(label)
    else differing[label] = [...who].sort()
  }
  return { readers: readings.length, shared, differing }
}
