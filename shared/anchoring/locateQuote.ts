// "Edit this quote": where an exact quote is in a text, for writes that must not guess. Unlike
// matchQuote (which re-anchors a reading after rewrites and may accept an edited quote), an
// edit lands only on an exact occurrence; prefix/suffix pick one of several. Missing or
// ambiguous quotes come back with candidates so the caller can fix its request.

import { scoreCandidates } from './match.ts'
import { exactOccurrences } from './search.ts'

export interface QuoteQuery {
  exact: string
  /** Text that must end right before the quote. */
  prefix?: string
  /** Text that must start right after the quote. */
  suffix?: string
}

export interface QuoteCandidate {
  start: number
  end: number
  /** The candidate span itself. */
  text: string
  /** A little text either side, to tell candidates apart. */
  before: string
  after: string
}

export type QuoteLocation =
  | { kind: 'found'; start: number; end: number }
  | { kind: 'missing'; candidates: QuoteCandidate[] }
  | { kind: 'ambiguous'; candidates: QuoteCandidate[]; /** Every fitting occurrence, beyond the candidates listed. */ total: number }

/** Candidates returned at most: enough to choose from, bounded whatever the text. */
export const MAX_QUOTE_CANDIDATES = 5
const CONTEXT = 32

export function locateQuote(text: string, query: QuoteQuery): QuoteLocation {
  const prefix = query.prefix ?? ''
  const suffix = query.suffix ?? ''
  // Every occurrence (indexOf only, linear): an edit must know the chosen one is the only fit.
  const occurrences = exactOccurrences(text, query.exact).spans
  const fitting = occurrences.filter((o) => o.start >= prefix.length && text.startsWith(prefix, o.start - prefix.length) && text.startsWith(suffix, o.end))
  if (fitting.length === 1) return { kind: 'found', start: fitting[0].start, end: fitting[0].end }
  if (fitting.length > 1) return { kind: 'ambiguous', total: fitting.length, candidates: fitting.slice(0, MAX_QUOTE_CANDIDATES).map((o) => candidate(text, o.start, o.end)) }
  // The quote is there but not with this context: those occurrences are what the caller meant.
  if (occurrences.length > 0) return { kind: 'missing', candidates: occurrences.slice(0, MAX_QUOTE_CANDIDATES).map((o) => candidate(text, o.start, o.end)) }
  // Not there at all: the nearest approximate spans (a typo, or text edited since it was read);
  // scoreCandidates bounds its work and gives none for a quote over the anchoring limits.
  const near = scoreCandidates(text, { exact: query.exact, prefix, suffix }, 0).slice(0, MAX_QUOTE_CANDIDATES)
  return { kind: 'missing', candidates: near.map((c) => candidate(text, c.start, c.end)) }
}

function candidate(text: string, start: number, end: number): QuoteCandidate {
  return { start, end, text: text.slice(start, end), before: text.slice(Math.max(0, start - CONTEXT), start), after: text.slice(end, end + CONTEXT) }
}

/** One line saying where the candidates are, for an error message. */
export function describeCandidates(candidates: QuoteCandidate[]): string {
  return candidates.map((c) => `${c.start}..${c.end} "…${c.before.slice(-12)}[${c.text.slice(0, 40)}]${c.after.slice(0, 12)}…"`).join('; ')
}
