// Where to look for a quote: exact occurrences, then approximate matches near a hint, then
// approximate matches anywhere (seeded by exact pieces of the quote when a full scan is too big).
import { approximateMatches, type ApproxMatch } from './distance.ts'

/** Characters either side of the hint searched first; most edits are small and local. */
const NEAR_WINDOW = 2000
/** Above this many DP cells (quote length × text length) the full scan is seeded instead. */
const FULL_SCAN_BUDGET = 20_000_000
const PIECE = 16
const MAX_PIECE_HITS = 16

export function exactOccurrences(text: string, exact: string): ApproxMatch[] {
  const out: ApproxMatch[] = []
  for (let i = text.indexOf(exact); i !== -1; i = text.indexOf(exact, i + 1)) out.push({ start: i, end: i + exact.length, errors: 0 })
  return out
}

/** Approximate matches in the text around `hint`. */
export function approximateNear(text: string, exact: string, maxErrors: number, hint: number): ApproxMatch[] {
  const reach = NEAR_WINDOW + 2 * exact.length
  return approximateIn(text, exact, maxErrors, hint - reach, hint + exact.length + reach)
}

/**
 * Approximate matches anywhere. A long quote in a long text is only searched around places
 * where one of its 16-character pieces occurs exactly: a quote with a quarter of its
 * characters edited nearly always keeps such a piece, and the scan stays cheap.
 */
export function approximateAnywhere(text: string, exact: string, maxErrors: number): ApproxMatch[] {
  if (exact.length * text.length <= FULL_SCAN_BUDGET || exact.length < 2 * PIECE) {
    return approximateMatches(text, exact, maxErrors)
  }
  const regions: [number, number][] = []
  for (let offset = 0; offset + PIECE <= exact.length; offset += PIECE) {
    const piece = exact.slice(offset, offset + PIECE)
    const hits: number[] = []
    for (let i = text.indexOf(piece); i !== -1 && hits.length <= MAX_PIECE_HITS; i = text.indexOf(piece, i + 1)) hits.push(i)
    // A piece found all over the text says nothing about where the quote went.
    if (hits.length > MAX_PIECE_HITS) continue
    for (const i of hits) regions.push([i - offset - maxErrors, i - offset + exact.length + maxErrors])
  }
  regions.sort((a, b) => a[0] - b[0])
  const out: ApproxMatch[] = []
  let cur: [number, number] | null = null
  for (const r of regions) {
    if (cur && r[0] <= cur[1]) cur[1] = Math.max(cur[1], r[1])
    else {
      if (cur) out.push(...approximateIn(text, exact, maxErrors, cur[0], cur[1]))
      cur = [r[0], r[1]]
    }
  }
  if (cur) out.push(...approximateIn(text, exact, maxErrors, cur[0], cur[1]))
  return out
}

function approximateIn(text: string, exact: string, maxErrors: number, from: number, to: number): ApproxMatch[] {
  const lo = Math.max(0, from)
  const hi = Math.min(text.length, to)
  return approximateMatches(text.slice(lo, hi), exact, maxErrors).map((m) => ({ ...m, start: m.start + lo, end: m.end + lo }))
}
