// Anchoring annotations to a shared Y.Text (DESIGN.md §2): Yjs relative positions for exactness
// under concurrent edits, W3C quote/position selectors to re-anchor after rewrites.
// Start with createAnchor / resolveAnchor.
export { createAnchor, anchorByQuote, DEFAULT_CONTEXT_CHARS, type QuoteHint } from './anchor.ts'
export { resolveAnchor, checkPositions, placeByQuote, type PositionCheck } from './resolve.ts'
export { AnchorPlacement, type PlacementItem, type Placed } from './placement.ts'
export { textChangedSince, writtenSince, quoteIntact, quoteChanged } from './changed.ts'
export { ANCHOR_LIMITS, quoteLimitError } from './limits.ts'
export { respectsWordBoundaries, sharedWordShare } from './words.ts'
export { locateQuote, describeCandidates, MAX_QUOTE_CANDIDATES, type QuoteQuery, type QuoteCandidate, type QuoteLocation } from './locateQuote.ts'
export {
  matchQuote,
  scoreCandidates,
  contextScore,
  DEFAULT_MAX_ERROR_RATIO,
  DEFAULT_THRESHOLD,
  MAX_EXACT_CANDIDATES,
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
