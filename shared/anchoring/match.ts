// Finding a quote in text that may have been rewritten (Hypothesis-style fuzzy anchoring).
// Pure string code: candidates come from exact occurrences and a bounded approximate search,
// each is scored by quote similarity, context (prefix/suffix) similarity and distance from a
// position hint, and only a clear winner above the threshold is accepted. A place that cuts a
// word the quote kept whole, or shares too few of the quote's words, is never accepted.
// Cost is bounded (limits.ts, search.ts): a quote beyond ANCHOR_LIMITS is never scored.
import { similarity, type ApproxMatch } from './distance.ts'
import { quoteLimitError } from './limits.ts'
import { approximateAnywhere, approximateNear, exactOccurrences, nearWindow } from './search.ts'
import { respectsWordBoundaries, sharedWordShare, wordShareAnywhere } from './words.ts'
import type { TextQuote } from './types.ts'

export interface MatchOptions {
  /** Largest share of the quote that may be edited and still match. */
  maxErrorRatio?: number
  /** Lowest acceptable combined score (0..1). */
  threshold?: number
}

export type QuoteMatch = { kind: 'match'; start: number; end: number; score: number; errors: number } | { kind: 'none' } | { kind: 'ambiguous' }

export interface Candidate {
  start: number
  end: number
  errors: number
  quoteScore: number
  contextScore: number
  positionScore: number
  /** What the text itself says, without the position hint. */
  evidence: number
  score: number
}

const QUOTE_WEIGHT = 0.6
const CONTEXT_WEIGHT = 0.3
const POSITION_WEIGHT = 0.1
/** Quotes shorter than this are not distinctive alone: they also need their context to agree. */
const SHORT_QUOTE = 12
const MIN_CONTEXT_FOR_SHORT = 0.5
const LONG_QUOTE = 64
const LONG_QUOTE_MIN_SCORE = 0.9
/** Below this context score, equally good candidates cannot be told apart by the text. */
const MIN_CONTEXT_TO_SPLIT_TIE = 0.6
const TIE = 0.05
const RIVAL_QUOTE_GAP = 0.1
/** An edited quote must keep at least this share of its words whole (weak similarity → orphan). */
const MIN_SHARED_WORDS = 0.5
/** Exact occurrences scored at most; a quote found more often than this is ambiguous. */
export const MAX_EXACT_CANDIDATES = 64

export const DEFAULT_MAX_ERROR_RATIO = 0.25
export const DEFAULT_THRESHOLD = 0.7

/**
 * Where `quote` now is in `text`. `hint` is the expected start offset (the last known position).
 * Looks in widening circles (exact occurrences, approximate near the hint, approximate anywhere)
 * and stops as soon as a candidate is accepted with context strong enough that no rival can
 * tie it. Returns `ambiguous` rather than guessing when several places fit equally well
 * without context to choose between them.
 */
export function matchQuote(text: string, quote: TextQuote, hint: number, options: MatchOptions = {}): QuoteMatch {
  if (quoteLimitError(quote)) return { kind: 'none' }
  const threshold = options.threshold ?? DEFAULT_THRESHOLD
  const exact = quote.exact
  // Linear fast path: the quote with its whole stored context occurs exactly once.
  const unique = uniqueWithContext(text, quote)
  if (unique !== null) {
    const c = score(text, quote, hint, { start: unique, end: unique + exact.length, errors: 0 })
    if (acceptable(text, quote, c, threshold)) return { kind: 'match', start: c.start, end: c.end, score: round(c.score), errors: 0 }
  }
  const occurrences = exactOccurrences(text, exact, MAX_EXACT_CANDIDATES)
  if (occurrences.more) return { kind: 'ambiguous' }
  // An edited quote must keep half its words: if they are not in the text at all, only exact occurrences can match.
  const editable = wordShareAnywhere(exact, text) >= MIN_SHARED_WORDS
  const maxErrors = editable ? Math.floor(exact.length * (options.maxErrorRatio ?? DEFAULT_MAX_ERROR_RATIO)) : 0
  const near = nearWindow(text, exact, hint)
  const nearIsAll = near.from === 0 && near.to === text.length
  const stages = [
    () => occurrences.spans,
    () => (maxErrors > 0 ? approximateNear(text, quote, maxErrors, hint) : []),
    () => (maxErrors > 0 && !nearIsAll ? approximateAnywhere(text, quote, maxErrors) : []),
  ]
  const spans: ApproxMatch[] = []
  let verdict: QuoteMatch = { kind: 'none' }
  for (const stage of stages) {
    spans.push(...stage())
    const candidates = scoreSpans(text, quote, hint, spans)
    verdict = decide(text, quote, candidates, threshold)
    if (verdict.kind === 'match' && candidates[0].contextScore >= MIN_CONTEXT_TO_SPLIT_TIE) return verdict
  }
  return verdict
}

/** All non-overlapping candidates over the whole text, best first (bounded like matchQuote). For diagnostics and tests. */
export function scoreCandidates(text: string, quote: TextQuote, hint: number, options: MatchOptions = {}): Candidate[] {
  if (quoteLimitError(quote)) return []
  const maxErrors = Math.floor(quote.exact.length * (options.maxErrorRatio ?? DEFAULT_MAX_ERROR_RATIO))
  const spans = [...exactOccurrences(text, quote.exact, MAX_EXACT_CANDIDATES).spans, ...(maxErrors > 0 ? approximateAnywhere(text, quote, maxErrors) : [])]
  return scoreSpans(text, quote, hint, spans)
}

/** Start of the only occurrence of prefix + exact + suffix, or null (none, several, or no context). */
function uniqueWithContext(text: string, quote: TextQuote): number | null {
  if (quote.prefix.length + quote.suffix.length === 0) return null
  const whole = quote.prefix + quote.exact + quote.suffix
  const at = text.indexOf(whole)
  if (at === -1 || text.indexOf(whole, at + 1) !== -1) return null
  return at + quote.prefix.length
}

function decide(text: string, quote: TextQuote, candidates: Candidate[], threshold: number): QuoteMatch {
  const best = candidates.find((c) => acceptable(text, quote, c, threshold))
  if (!best) return { kind: 'none' }
  // A rival the text cannot tell apart (only the position hint prefers `best`) makes it a guess.
  const rival = candidates.some((c) => c !== best && Math.abs(best.evidence - c.evidence) < TIE && Math.abs(best.quoteScore - c.quoteScore) < RIVAL_QUOTE_GAP)
  if (rival && best.contextScore < MIN_CONTEXT_TO_SPLIT_TIE) return { kind: 'ambiguous' }
  return { kind: 'match', start: best.start, end: best.end, score: round(best.score), errors: best.errors }
}

/** Scores each distinct span and keeps the non-overlapping ones, best first (score, then earlier start: deterministic). */
function scoreSpans(text: string, quote: TextQuote, hint: number, spans: ApproxMatch[]): Candidate[] {
  const unique = new Map<string, ApproxMatch>()
  for (const s of spans) {
    const key = `${s.start}:${s.end}`
    const seen = unique.get(key)
    if (!seen || s.errors < seen.errors) unique.set(key, s)
  }
  const scored = [...unique.values()].map((s) => score(text, quote, hint, s))
  scored.sort((a, b) => b.score - a.score || a.start - b.start)
  const kept: Candidate[] = []
  for (const c of scored) if (!kept.some((k) => c.start < k.end && k.start < c.end)) kept.push(c)
  return kept
}

function score(text: string, quote: TextQuote, hint: number, s: ApproxMatch): Candidate {
  const quoteScore = s.errors === 0 ? 1 : 1 - s.errors / quote.exact.length
  const ctx = contextScore(text, quote, s.start, s.end)
  const positionScore = text.length === 0 ? 1 : 1 - Math.min(1, Math.abs(s.start - hint) / text.length)
  const evidence = QUOTE_WEIGHT * quoteScore + CONTEXT_WEIGHT * ctx
  return {
    ...s,
    quoteScore,
    contextScore: ctx,
    positionScore,
    evidence,
    score: evidence + POSITION_WEIGHT * positionScore,
  }
}

/** Similarity of the stored prefix/suffix to the text around a candidate, weighted by their lengths. */
export function contextScore(text: string, quote: TextQuote, start: number, end: number): number {
  const { prefix, suffix } = quote
  if (prefix.length + suffix.length === 0) return 1
  const before = text.slice(Math.max(0, start - prefix.length), start)
  const after = text.slice(end, end + suffix.length)
  const p = prefix.length === 0 ? 0 : similarity(prefix, before) * prefix.length
  const s = suffix.length === 0 ? 0 : similarity(suffix, after) * suffix.length
  return (p + s) / (prefix.length + suffix.length)
}

/**
 * Acceptance. Never a place that cuts a word the quote kept whole (it began or ended at a word
 * boundary), nor an edited quote that keeps less than half of its words. Then, from least to
 * most distinctive quote:
 * - a short quote (< 12 chars) needs its context to agree and the combined score to pass;
 * - an exact occurrence of a longer quote is accepted anywhere (the quote survived a rewrite);
 * - an edited quote needs the combined score (context and position make up for the edits),
 *   unless it is long (≥ 64 chars) and at most lightly edited: that is distinctive on its own.
 */
function acceptable(text: string, quote: TextQuote, c: Candidate, threshold: number): boolean {
  if (!respectsWordBoundaries(text, quote, c.start, c.end)) return false
  if (c.errors > 0 && sharedWordShare(quote.exact, text.slice(c.start, c.end)) < MIN_SHARED_WORDS) return false
  const len = quote.exact.length
  if (len < SHORT_QUOTE) return c.contextScore >= MIN_CONTEXT_FOR_SHORT && c.score >= threshold
  return c.errors === 0 || c.score >= threshold || (len >= LONG_QUOTE && c.quoteScore >= LONG_QUOTE_MIN_SCORE)
}

const round = (x: number): number => Math.round(x * 1000) / 1000
