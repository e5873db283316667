// Edit-distance primitives for quote matching. Pure string code, no Yjs.
import { myersScan } from './myers.ts'

/** Levenshtein distance (unit costs). O(a·b) time, O(b) memory: meant for short strings such as quote context. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let prev = new Int32Array(b.length + 1)
  let cur = new Int32Array(b.length + 1)
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    const ca = a.charCodeAt(i - 1)
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1)
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1)
    }
    ;[prev, cur] = [cur, prev]
  }
  return prev[b.length]
}

/** 1 for equal strings, 0 for nothing in common; two empty strings are equal. */
export function similarity(a: string, b: string): number {
  const len = Math.max(a.length, b.length)
  return len === 0 ? 1 : 1 - editDistance(a, b) / len
}

export interface ApproxMatch {
  start: number
  end: number
  errors: number
}

export interface SpanFilter {
  /** Only ends (exclusive offsets in `text`) for which this holds are reported, e.g. word boundaries. */
  endOk?: (end: number) => boolean
  /** Among equally good starts, only those for which this holds (when any does). */
  startOk?: (start: number) => boolean
}

/**
 * Every place where `pattern` occurs in `text` with at most `maxErrors` edits, one match per
 * local minimum of the error count, the `limit` best. Ends come from one bit-parallel scan
 * (myers.ts, O(text · ⌈pattern/32⌉)); each reported end's start from a second, anchored scan of
 * the reversed pattern over the reversed text before it (O((pattern + errors) · ⌈pattern/32⌉)).
 */
export function approximateMatches(text: string, pattern: string, maxErrors: number, limit = 64, filter: SpanFilter = {}): ApproxMatch[] {
  const m = pattern.length
  const k = Math.min(Math.max(0, Math.floor(maxErrors)), m)
  if (m === 0) return []
  const ends: End[] = []
  myersScan(text, pattern, false, (j, d) => {
    if (d <= k) ends.push({ end: j, errors: d, ok: filter.endOk?.(j) ?? true })
  })
  const minima = localMinima(ends)
  minima.sort((a, b) => a.errors - b.errors || a.end - b.end)
  return minima.slice(0, limit).map(({ end }) => {
    const { start, errors } = bestStart(text, pattern, end, k, filter.startOk)
    return { start, end, errors }
  })
}

/** Keeps one end per run of adjacent ends: the first one with the lowest error count. */
interface End {
  end: number
  errors: number
  /** The filter accepts this end. */
  ok: boolean
}

/**
 * Keeps one end per run of adjacent ends (one match): the first accepted one with the lowest
 * error count. Runs are formed from every end, accepted or not, so a filter cannot split one
 * match into rivals.
 */
function localMinima(ends: End[]): { end: number; errors: number }[] {
  const out: { end: number; errors: number }[] = []
  let run: End | null = null
  let lastEnd = -2
  const close = () => {
    if (run?.ok) out.push({ end: run.end, errors: run.errors })
  }
  for (const e of ends) {
    if (run === null || e.end !== lastEnd + 1) {
      close()
      run = e
    } else if (e.ok && (!run.ok || e.errors < run.errors)) run = e
    lastEnd = e.end
  }
  close()
  return out
}

/**
 * The start that gives the fewest edits for a match ending at `end`; ties prefer a length
 * closest to the pattern. With `startOk`, only starts it accepts (when there is one).
 */
function bestStart(text: string, pattern: string, end: number, k: number, startOk?: (start: number) => boolean): { start: number; errors: number } {
  const m = pattern.length
  const from = Math.max(0, end - m - k)
  const w = end - from
  // Distances of the pattern to text[end - j, end) for j = 0..w, from the reversed strings.
  const d = new Int32Array(w + 1)
  d[0] = m
  myersScan(reverse(text.slice(from, end)), reverse(pattern), true, (j, v) => (d[j] = v))
  const pick = (ok: (start: number) => boolean): number => {
    let best = -1
    for (let j = 0; j <= w; j++) {
      if (!ok(end - j)) continue
      if (best === -1 || d[j] < d[best] || (d[j] === d[best] && Math.abs(j - m) < Math.abs(best - m))) best = j
    }
    return best
  }
  let best = startOk ? pick(startOk) : -1
  if (best === -1) best = pick(() => true)
  return { start: end - best, errors: d[best] }
}

const reverse = (s: string): string => {
  let out = ''
  for (let i = s.length - 1; i >= 0; i--) out += s[i]
  return out
}
