// Word-level checks for re-anchoring: a highlight must not start or end inside a word the
// original quote kept whole, and an edited quote must still share most of its words with the
// place it lands on ("is acknowledged" must not land on "re acknowledge" inside
// "before acknowledgement"). Pure string code.
import type { SpanFilter } from './distance.ts'
import type { TextQuote } from './types.ts'

const WORD_CHAR = /[\p{L}\p{N}_]/u
const WORDS = /[\p{L}\p{N}_]+/gu

const isWordChar = (ch: string | undefined): boolean => ch !== undefined && WORD_CHAR.test(ch)

/**
 * The span [start, end) of `text` begins and ends where the quote did relative to words: if the
 * quote began with a word character right after a non-word character (or at the start of the
 * text) the span must too, and likewise at its end. A quote that itself began or ended inside
 * a word (its stored context says so) is not constrained on that side.
 */
export function respectsWordBoundaries(text: string, quote: TextQuote, start: number, end: number): boolean {
  const f = boundaryFilter(text, quote)
  return (f.startOk?.(start) ?? true) && (f.endOk?.(end) ?? true)
}

/** The same rule as predicates on offsets of `text`, for the approximate search (distance.ts). */
export function boundaryFilter(text: string, quote: TextQuote, offset = 0): SpanFilter {
  const { exact, prefix, suffix } = quote
  const startedAtWord = isWordChar(exact[0]) && !isWordChar(prefix.at(-1))
  const endedAtWord = isWordChar(exact.at(-1)) && !isWordChar(suffix[0])
  return {
    ...(startedAtWord ? { startOk: (s: number) => isWordChar(text[offset + s]) && !isWordChar(text[offset + s - 1]) } : {}),
    ...(endedAtWord ? { endOk: (e: number) => isWordChar(text[offset + e - 1]) && !isWordChar(text[offset + e]) } : {}),
  }
}

/** Share of the quote's distinct words (case-folded) that occur as whole words in `candidate`; 1 for a quote without words. */
export function sharedWordShare(quote: string, candidate: string): number {
  const want = new Set(quote.toLowerCase().match(WORDS) ?? [])
  if (want.size === 0) return 1
  const have = new Set(candidate.toLowerCase().match(WORDS) ?? [])
  let shared = 0
  for (const w of want) if (have.has(w)) shared++
  return shared / want.size
}

let lastText: string | null = null
let lastWords: Set<string> = new Set()

/** The distinct case-folded words of `text` (the last text's set is kept: readers place many anchors on one text). */
function wordsOf(text: string): Set<string> {
  if (text !== lastText) {
    lastWords = new Set(text.toLowerCase().match(WORDS) ?? [])
    lastText = text
  }
  return lastWords
}

/**
 * Upper bound of sharedWordShare over every place in `text`: the share of the quote's words that
 * occur anywhere. Below the acceptance share, no approximate search can succeed, so it is skipped.
 */
export function wordShareAnywhere(quote: string, text: string): number {
  return sharedWordShare(quote, [...intersect(quote, wordsOf(text))].join(' '))
}

function intersect(quote: string, have: Set<string>): Set<string> {
  const out = new Set<string>()
  for (const w of quote.toLowerCase().match(WORDS) ?? []) if (have.has(w)) out.add(w)
  return out
}
