// Built-in offline reviewers (DESIGN.md §5): deterministic heuristics with different lenses, used
// when no model API key is configured, so the demo still shows real divergent readings.
// Each `review(text)` is a pure function: same text, same findings, same order.
import { claimsReviewer } from './claims.ts'
import { clarityReviewer } from './clarity.ts'
import type { OfflineReviewer, OfflineReviewerId } from './types.ts'

export { clarityReviewer, reviewClarity } from './clarity.ts'
export { claimsReviewer, reviewClaims } from './claims.ts'
export { paragraphs, sentences, words, type Segment } from './segment.ts'
export { changedStretches, changedSince, paragraphHashes, wholeText, ReviewedTexts, type ReviewedStore } from './changedStretches.ts'
export type { Finding, OfflineReviewer, OfflineReviewerId } from './types.ts'

export const OFFLINE_REVIEWERS: Readonly<Record<OfflineReviewerId, OfflineReviewer>> = Object.freeze({
  clarity: clarityReviewer,
  claims: claimsReviewer,
})
