// Anchoring annotations to a shared Y.Text (DESIGN.md §2): Yjs relative positions for exactness
// under concurrent edits, W3C quote/position selectors to re-anchor after rewrites.
// Start with createAnchor / resolveAnchor.
export { createAnchor, anchorByQuote, DEFAULT_CONTEXT_CHARS, type QuoteHint } from './anchor.ts'
export { resolveAnchor } from './resolve.ts'
export { textChangedSince, writtenSince, quoteIntact } from './changed.ts'
export {
  matchQuote,
  scoreCandidates,
  contextScore,
  DEFAULT_MAX_ERROR_RATIO,
  DEFAULT_THRESHOLD,
  type MatchOptions,
  type QuoteMatch,
  type Candidate,
} from './match.ts'
export { editDistance, similarity, approximateMatches, type ApproxMatch } from './distance.ts'
export {
  AnchorSchema,
  RelativePositionJSONSchema,
  TextQuoteSchema,
  TextPositionSchema,
  YIdSchema,
  type Anchor,
  type RelativePositionJSON,
  type TextQuote,
  type TextPosition,
  type Resolution,
  type OrphanReason,
} from './types.ts'
