// Review: interpretive differences grouped by stretch, and what people did about them
// (one review room per namespace). Operational conflicts live in shared/conflicts.
export {
  groupDivergences,
  prepareDivergences,
  countReadings,
  type Divergences,
  type DivergenceGroup,
  type Reading,
  type PlacedAnnotation,
  type Orphan,
  type Skipped,
  type ReadingsCount,
  type GroupOptions,
} from './divergences.ts'
export {
  agreementOf,
  agreementKinds,
  normaliseLabel,
  synonymIndex,
  vocabularyError,
  commentWords,
  jaccard,
  DEFAULT_VOCABULARY,
  VOCABULARY_LIMITS,
  COMMENT_SIMILARITY,
  MAX_COMPARED_COMMENTS,
  type Agreement,
  type AgreementKind,
  type AgreementPoint,
  type AgreementInput,
  type Vocabulary,
  type SynonymIndex,
} from './agreement.ts'
export { READING_LIMITS, annotationCapError, capPerNamespace } from './limits.ts'
export { readVocabulary, VocabularySchema, VOCABULARY_MAP } from './vocabulary.ts'
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
export { decideReviewAction, allowedReviewActions, mayEditVocabulary, REVIEW_ACTIONS, type ReviewAction, type ReviewDecision } from './policy.ts'
