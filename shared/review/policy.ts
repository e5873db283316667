// Who may act on an interpretive difference. Pure; the HTTP API and the browser both use it.
//
// Every action needs the namespace to be readable by the actor (you act on what you can see).
// keep, reply, reject:  write the namespace's review room only → owners, editors, reviewers.
// promote, accept:      also write the shared document (a note, the replacement) as the actor
//                       → owners and editors, the roles that may edit shared text anyway.
import { mayEditShared } from '../access.ts'
import type { Role } from '../model.ts'

export const REVIEW_ACTIONS = ['keep', 'reply', 'promote', 'accept', 'reject'] as const
export type ReviewAction = (typeof REVIEW_ACTIONS)[number]

export type ReviewDecision = { allow: true } | { allow: false; reason: string }

export function decideReviewAction(role: Role | null, canReadNamespace: boolean, action: ReviewAction): ReviewDecision {
  if (role === null) return { allow: false, reason: 'not a member of this workspace' }
  if (!canReadNamespace) return { allow: false, reason: 'you may not read this namespace' }
  const writesShared = action === 'promote' || action === 'accept'
  if (writesShared) {
    return mayEditShared(role) ? { allow: true } : { allow: false, reason: `role ${role} may not ${action}: it changes the shared document` }
  }
  return role === 'viewer' ? { allow: false, reason: `viewers may not ${action}` } : { allow: true }
}

/** For the browser: which buttons to show to a role. */
export function allowedReviewActions(role: Role | null): Set<ReviewAction> {
  return new Set(REVIEW_ACTIONS.filter((a) => decideReviewAction(role, true, a).allow))
}

/** The workspace vocabulary (label synonyms for agreement) is a workspace setting: owners (and administrators) change it. */
export function mayEditVocabulary(role: Role | null, admin: boolean): ReviewDecision {
  return admin || role === 'owner' ? { allow: true } : { allow: false, reason: 'only workspace owners and administrators change the vocabulary' }
}
