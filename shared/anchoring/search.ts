// Where to look for a quote: exact occurrences, then approximate matches near a hint, then
// approximate matches anywhere (seeded by exact pieces of the quote when a full scan is too big).
// Every stage is bounded: exact search is indexOf (linear), approximate search is a bit-parallel
// scan (myers.ts) of windows whose cost (window length × ⌈quote length / 32⌉) stays under a fixed
// budget, and each stage returns a bounded number of candidates.
import { approximateMatches, type ApproxMatch } from './distance.ts'
import { scanCost } from './myers.ts'
import { boundaryFilter } from './words.ts'
import type { TextQuote } from './types.ts'

/** Characters either side of the hint searched first; most edits are small and local. */
const NEAR_WINDOW = 1000
/** Block operations (text length × ⌈quote length / 32⌉, myers.ts) one approximate stage may spend. */
export const SCAN_BUDGET = 200_000
/** Approximate candidates one stage returns (each costs a reverse DP to find its start). */
export const MAX_APPROX_CANDIDATES = 4
const PIECE = 16
const MAX_PIECE_HITS = 16

/**
 * Exact occurrences of `exact`, found with indexOf. Stops counting past `limit`: a quote that
 * occurs more often than that cannot be placed by scoring each place (the caller treats it as
 * ambiguous), and scoring them all is what made one-character quotes cost seconds.
 */
export function exactOccurrences(text: string, exact: string, limit = Infinity): { spans: ApproxMatch[]; more: boolean } {
  const spans: ApproxMatch[] = []
  for (let i = text.indexOf(exact); i !== -1; i = text.indexOf(exact, i + 1)) {
    if (spans.length === limit) return { spans, more: true }
    spans.push({ start: i, end: i + exact.length, errors: 0 })
  }
  return { spans, more: false }
}

/** The window searched around `hint`: either side of the quote's old place, within the scan budget. */
export function nearWindow(text: string, exact: string, hint: number): { from: number; to: number } {
  const blocks = scanCost(1, exact.length)
  const reach = Math.min(NEAR_WINDOW + exact.length, Math.floor((SCAN_BUDGET / blocks - exact.length) / 2))
  return { from: Math.max(0, hint - reach), to: Math.min(text.length, hint + exact.length + reach) }
}

/** Approximate matches in the text around `hint`. */
export function approximateNear(text: string, quote: TextQuote, maxErrors: number, hint: number): ApproxMatch[] {
  const { from, to } = nearWindow(text, quote.exact, hint)
  return approximateIn(text, quote, maxErrors, from, to)
}

/**
 * Approximate matches anywhere. A long quote in a long text is only searched around places
 * where one of its 16-character pieces occurs exactly: a quote with a quarter of its
 * characters edited nearly always keeps such a piece, and the scan stays cheap.
 */
export function approximateAnywhere(text: string, quote: TextQuote, maxErrors: number): ApproxMatch[] {
  const exact = quote.exact
  if (scanCost(text.length, exact.length) <= SCAN_BUDGET) return approximateIn(text, quote, maxErrors, 0, text.length)
  // Too big to scan whole and too short to seed: searched near the hint only.
  if (exact.length < 2 * PIECE) return []
  const regions: { from: number; to: number; hits: number }[] = []
  for (let offset = 0; offset + PIECE <= exact.length; offset += PIECE) {
    const piece = exact.slice(offset, offset + PIECE)
    const hits: number[] = []
    for (let i = text.indexOf(piece); i !== -1 && hits.length <= MAX_PIECE_HITS; i = text.indexOf(piece, i + 1)) hits.push(i)
    // A piece found all over the text says nothing about where the quote went.
    if (hits.length > MAX_PIECE_HITS) continue
    for (const i of hits) regions.push({ from: i - offset - maxErrors, to: i - offset + exact.length + maxErrors, hits: 1 })
  }
  regions.sort((a, b) => a.from - b.from)
  const merged: typeof regions = []
  for (const r of regions) {
    const cur = merged.at(-1)
    if (cur && r.from <= cur.to) {
      cur.to = Math.max(cur.to, r.to)
      cur.hits += r.hits
    } else merged.push({ ...r })
  }
  // The regions most pieces point to first, until the budget is spent.
  merged.sort((a, b) => b.hits - a.hits || a.from - b.from)
  const out: ApproxMatch[] = []
  let cells = 0
  for (const r of merged) {
    cells += scanCost(r.to - r.from, exact.length)
    if (cells > SCAN_BUDGET) break
    out.push(...approximateIn(text, quote, maxErrors, r.from, r.to))
  }
  return out
}

/** Approximate matches in text[from, to) whose ends respect the quote's word boundaries (words.ts). */
function approximateIn(text: string, quote: TextQuote, maxErrors: number, from: number, to: number): ApproxMatch[] {
  const lo = Math.max(0, from)
  const hi = Math.min(text.length, to)
  const found = approximateMatches(text.slice(lo, hi), quote.exact, maxErrors, MAX_APPROX_CANDIDATES, boundaryFilter(text, quote, lo))
  return found.map((m) => ({ ...m, start: m.start + lo, end: m.end + lo }))
}
