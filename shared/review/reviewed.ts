// Divergences as the review view shows them: each annotation with what people did about it
// (kept, promoted, replies) and the proposed edits on the document with their status. Pure.
import type * as Y from 'yjs'
import { resolveAnchor } from '../anchoring/index.ts'
import type { Proposal } from '../annotations.ts'
import type { Divergences } from './divergences.ts'
import { reviewKey, type ProposalDecision, type ProposalView, type ReviewState } from './state.ts'
import { capPerNamespace } from './limits.ts'

/** Adds `decision` and `replies` to every placed annotation (keyed by its namespace owner). */
export function withReview(d: Divergences, review: ReviewState): Divergences {
  return {
    ...d,
    groups: d.groups.map((g) => ({
      ...g,
      readings: g.readings.map((r) => ({
        ...r,
        annotations: r.annotations.map((a) => {
          const key = reviewKey(r.principal, a.id)
          return { ...a, decision: review.decisions.get(key) ?? null, replies: review.replies.get(key) ?? [] }
        }),
      })),
    })),
  }
}

/**
 * Proposals on `doc` (keyed by namespace owner), placed on the current text, oldest first. At
 * most READING_LIMITS.perNamespaceDoc per namespace (the oldest), like annotations: every reader
 * places them again after each edit.
 */
export function placeProposals(doc: string, text: Y.Text, byPrincipal: Map<string, Proposal[]>, review: ReviewState): ProposalView[] {
  const out: ProposalView[] = []
  const own = new Map([...byPrincipal].map(([owner, list]) => [owner, list.filter((p) => p.doc === doc && p.author === owner)] as const))
  for (const [owner, proposals] of capPerNamespace(own).kept) {
    for (const p of proposals) {
      const r = resolveAnchor(text, p.target)
      const decision = review.proposals.get(reviewKey(owner, p.id)) ?? null
      out.push({
        id: p.id,
        author: owner,
        doc,
        quote: p.target.quote.exact,
        replacement: p.replacement,
        rationale: p.rationale,
        createdAt: p.createdAt,
        placement: r.status,
        start: r.status === 'orphaned' ? null : r.start,
        end: r.status === 'orphaned' ? null : r.end,
        status: decision?.status ?? 'open',
        decision: decision ? publicDecision(decision) : null,
      })
    }
  }
  return out.sort((a, b) => a.createdAt - b.createdAt || a.author.localeCompare(b.author) || a.id.localeCompare(b.id))
}

function publicDecision(d: ProposalDecision): ProposalView['decision'] {
  return { by: d.by, at: d.at, ...(d.conflict ? { conflict: d.conflict } : {}) }
}
