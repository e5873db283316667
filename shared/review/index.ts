// Review: interpretive differences grouped by stretch, and what people did about them
// (one review room per namespace). Operational conflicts live in shared/conflicts.
export { groupDivergences, agreementOf, type Divergences, type DivergenceGroup, type Reading, type PlacedAnnotation, type Agreement, type Orphan } from './divergences.ts'
export {
  REVIEW_MAPS,
  reviewKey,
  replyId,
  readReviewState,
  emptyReviewState,
  mergeReviewStates,
  AnnotationDecisionSchema,
  ReplySchema,
  ProposalDecisionSchema,
  AppliedEditSchema,
  type AnnotationDecision,
  type Reply,
  type ProposalDecision,
  type AppliedEdit,
  type IdRange,
  type ReviewState,
  type ProposalView,
  type ProposalStatus,
} from './state.ts'
export { withReview, placeProposals } from './reviewed.ts'
export { decideReviewAction, allowedReviewActions, REVIEW_ACTIONS, type ReviewAction, type ReviewDecision } from './policy.ts'
