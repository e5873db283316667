// The review loop's superseding rule: after a review, each reading it newly wrote replaces the
// same agent's earlier readings whose stretch overlaps it (an agent reads with one lens, so
// "same agent" is "same lens"). Readings written again unchanged, and readings from this same
// review, are never superseded: two points about one sentence from one reading both stand.

import { resolveAnchor } from '../../shared/anchoring/index.ts'
import { ANNOTATION_LIMITS } from '../../shared/annotations.ts'
import type { Agent, WriteResult } from '../sdk/Agent.ts'

/** Marks what `written` (this review's annotation writes on `doc`) replaces; returns how many readings were superseded. */
export function supersedeOverlapping(agent: Agent, doc: string, written: WriteResult[]): number {
  const thisReview = new Set(written.map((w) => w.id))
  const text = agent.text(doc)
  let superseded = 0
  for (const w of written) {
    if (!w.created) continue
    const newer = agent.annotations(doc).find((a) => a.id === w.id)
    if (!newer) continue
    const at = resolveAnchor(text, newer.target)
    if (at.status === 'orphaned') continue
    const older = agent
      .readingsOverlapping(doc, at.start, at.end)
      .filter((a) => !thisReview.has(a.id))
      .slice(0, ANNOTATION_LIMITS.supersedes)
    if (older.length === 0) continue
    agent.supersede(
      older.map((a) => a.id),
      w.id,
    )
    superseded += older.length
  }
  return superseded
}
