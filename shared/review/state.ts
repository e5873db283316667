// What a review room `W/review/<owner>` holds (DESIGN.md §2): the actions people took on the
// interpretive differences in <owner>'s namespace. One room per namespace, readable exactly when
// the namespace is, so nobody learns of decisions about readings they may not see.
// Nothing here resolves a difference; it records what was done.
//   Y.Map('decisions')  `<owner>/<annotationId>` → { action: 'keep' | 'promote', by, at, note? }
//   Y.Map('replies')    reply id → { target: `<owner>/<annotationId>`, author, text, at }
//   Y.Map('proposals')  `<owner>/<proposalId>` → { status, by, at, conflict?, applied? }
// The proposer's namespace stays theirs alone: a proposal's decision lives here, not there.
import type * as Y from 'yjs'
import * as z from 'zod'
import { fnv1a64 } from '../annotations.ts'

export const REVIEW_MAPS = { decisions: 'decisions', replies: 'replies', proposals: 'proposals' } as const

/** The key of an annotation or proposal in the review room: its namespace owner and id. */
export const reviewKey = (owner: string, id: string): string => `${owner}/${id}`

export const AnnotationDecisionSchema = z.object({
  action: z.enum(['keep', 'promote']),
  by: z.string(),
  at: z.number(),
  /** For 'promote': the key of the note in the shared document's `Y.Map('notes')`. */
  note: z.string().optional(),
})
export type AnnotationDecision = z.infer<typeof AnnotationDecisionSchema>

export const ReplySchema = z.object({
  id: z.string(),
  target: z.string(),
  author: z.string(),
  text: z.string(),
  at: z.number(),
})
export type Reply = z.infer<typeof ReplySchema>

const IdRangeSchema = z.object({ client: z.number(), clock: z.number(), length: z.number() })
export type IdRange = z.infer<typeof IdRangeSchema>

/** How an accepted proposal changed the text, so a later overlapping one can be told apart from ordinary edits. */
export const AppliedEditSchema = z.object({
  doc: z.string(),
  author: z.string(),
  replacement: z.string(),
  /** The text it replaced (exactly what it deleted, in order). */
  quote: z.string(),
  /** The Yjs ids of the characters it deleted. */
  deleted: z.array(IdRangeSchema),
  /** The Yjs ids of the replacement it inserted (null for an empty replacement). */
  inserted: IdRangeSchema.nullable(),
})
export type AppliedEdit = z.infer<typeof AppliedEditSchema>

export const ProposalDecisionSchema = z.object({
  status: z.enum(['accepted', 'rejected', 'conflict']),
  by: z.string(),
  at: z.number(),
  /** For 'conflict': the operational conflict recorded instead of applying it. */
  conflict: z.string().optional(),
  applied: AppliedEditSchema.optional(),
})
export type ProposalDecision = z.infer<typeof ProposalDecisionSchema>

/** Same person, same annotation, same words → same id (a retried reply is not a duplicate). */
export function replyId(target: string, author: string, text: string): string {
  return 'r-' + fnv1a64(JSON.stringify(['reply', target, author, text]))
}

export interface ReviewState {
  decisions: Map<string, AnnotationDecision>
  /** Replies per target, oldest first. */
  replies: Map<string, Reply[]>
  proposals: Map<string, ProposalDecision>
}

/** Reads the review room; values that do not fit the schemas are skipped (room values are untrusted JSON). */
export function readReviewState(doc: Y.Doc): ReviewState {
  const decisions = new Map<string, AnnotationDecision>()
  doc.getMap(REVIEW_MAPS.decisions).forEach((v, k) => {
    const d = AnnotationDecisionSchema.safeParse(v).data
    if (d) decisions.set(k, d)
  })
  const replies = new Map<string, Reply[]>()
  doc.getMap(REVIEW_MAPS.replies).forEach((v, k) => {
    const r = ReplySchema.safeParse(v).data
    if (!r || r.id !== k) return
    replies.set(r.target, [...(replies.get(r.target) ?? []), r])
  })
  for (const list of replies.values()) list.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id))
  const proposals = new Map<string, ProposalDecision>()
  doc.getMap(REVIEW_MAPS.proposals).forEach((v, k) => {
    const p = ProposalDecisionSchema.safeParse(v).data
    if (p) proposals.set(k, p)
  })
  return { decisions, replies, proposals }
}

/** A proposed edit as the review view lists it. */
export type ProposalStatus = 'open' | 'accepted' | 'rejected' | 'conflict'

export interface ProposalView {
  id: string
  author: string
  doc: string
  quote: string
  replacement: string
  rationale: string
  createdAt: number
  /** Where its target is now; an accept applies only on 'exact'. */
  placement: 'exact' | 'fuzzy' | 'orphaned'
  start: number | null
  end: number | null
  status: ProposalStatus
  /** Who decided and when; for 'conflict', the operational conflict to resolve. */
  decision: { by: string; at: number; conflict?: string } | null
}

/**
 * One view over several namespaces' review rooms (owner → that room's state). Only keys of the
 * room's own namespace count: a room can speak only about its own owner's annotations.
 */
export function mergeReviewStates(byOwner: Iterable<readonly [string, ReviewState]>): ReviewState {
  const out = emptyReviewState()
  for (const [owner, state] of byOwner) {
    const mine = (key: string) => key.startsWith(`${owner}/`)
    for (const [k, v] of state.decisions) if (mine(k)) out.decisions.set(k, v)
    for (const [k, v] of state.replies) if (mine(k)) out.replies.set(k, v)
    for (const [k, v] of state.proposals) if (mine(k)) out.proposals.set(k, v)
  }
  return out
}

export const emptyReviewState = (): ReviewState => ({ decisions: new Map(), replies: new Map(), proposals: new Map() })
