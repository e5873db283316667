// The review loop's superseding rule: after a review, each reading it newly wrote replaces the
// same agent's earlier readings whose stretch overlaps it (an agent reads with one lens, so
// "same agent" is "same lens"). Readings written again unchanged, and readings from this same
// review, are never superseded: two points about one sentence from one reading both stand.

import { resolveAnchor } from '../../shared/anchoring/index.ts'
import { ANNOTATION_LIMITS, isSuperseded, type Annotation } from '../../shared/annotations.ts'
import type { Agent, WriteResult } from '../sdk/Agent.ts'

/** Marks what `written` (this review's annotation writes) replaces on `doc`; returns how many readings were superseded. */
export function supersedeOverlapping(agent: Agent, doc: string, written: WriteResult[]): number {
  const thisReview = new Set(written.map((w) => w.id))
  const ids = new Set(agent.annotations().map((a) => a.id))
  const text = agent.text(doc)
  // Each reading on the document is placed once (at most READING_LIMITS.perNamespaceDoc of them).
  const placed: Array<{ a: Annotation; start: number; end: number }> = []
  for (const a of agent.annotations(doc)) {
    if (isSuperseded(a, ids)) continue
    const at = resolveAnchor(text, a.target)
    if (at.status !== 'orphaned') placed.push({ a, start: at.start, end: at.end })
  }
  const taken = new Set<string>()
  let superseded = 0
  for (const w of written) {
    if (!w.created) continue
    const newer = placed.find((p) => p.a.id === w.id)
    if (!newer) continue
    const older = placed.filter((p) => !thisReview.has(p.a.id) && !taken.has(p.a.id) && p.start < newer.end && newer.start < p.end).slice(0, ANNOTATION_LIMITS.supersedes)
    if (older.length === 0) continue
    agent.supersede(
      older.map((p) => p.a.id),
      w.id,
    )
    for (const p of older) taken.add(p.a.id)
    superseded += older.length
  }
  return superseded
}
