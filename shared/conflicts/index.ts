// Operational conflicts: record types, ids and the pure classification policy.
// Start at classify.ts; the definition of concurrency is in docs/conflicts.md.
export {
  CONFLICT_KINDS,
  ConflictRecordSchema,
  ConflictLocationSchema,
  ConflictPartySchema,
  ConflictResolutionSchema,
  ResolutionProposalSchema,
  MapLocationSchema,
  TextLocationSchema,
  RelativePositionJsonSchema,
  TypedValueSchema,
} from './types.ts'
export type {
  ConflictKind,
  ConflictRecord,
  ConflictLocation,
  ConflictParty,
  ConflictResolution,
  ResolutionProposal,
  MapLocation,
  TextLocation,
  RelativePositionJson,
  TypedValue,
} from './types.ts'
export { conflictId, groupConflictId, canonicalJson, sortParties } from './id.ts'
export { EMPTY_KNOWLEDGE, seesStruct, seesOp, seesDelete, mergeKnowledge, withStruct, withOp, knowledgeFromStateVector, withStateVector } from './knowledge.ts'
export { Vector } from './vector.ts'
export type { Knowledge, StructId, OpRef } from './knowledge.ts'
export { mapWritesConcurrent, sawWrite, classifyRedelete, redeleteConflicts, classifyInsertion, duplicatedInsertion } from './classify.ts'
export type { MapWriteStamp, DeleteStamp, InsertStamp, RedeleteVerdict } from './classify.ts'
export { decideConflictResolution, type ResolutionDecision } from './policy.ts'
export { decideProposal, decideProposalApplication, PROPOSAL_LIMITS, ProposalBodySchema, type ProposalBody, type ProposalApplication } from './proposals.ts'
