// Edit-distance primitives for quote matching. Pure string code, no Yjs.

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

/**
 * Every place where `pattern` occurs in `text` with at most `maxErrors` edits, one match per
 * local minimum of the error count. Sellers' semi-global DP with Ukkonen's cut-off, so the
 * cost is about O(text · maxErrors) rather than O(text · pattern). Start offsets are recovered
 * with a reverse DP anchored at each match end.
 */
export function approximateMatches(text: string, pattern: string, maxErrors: number, limit = 64): ApproxMatch[] {
  const m = pattern.length
  const k = Math.min(Math.max(0, Math.floor(maxErrors)), m)
  if (m === 0) return []
  const cap = k + 1
  // col[i] = min(k + 1, edit distance of pattern[0, i) to the best text suffix ending here).
  const col = new Int32Array(m + 1)
  for (let i = 0; i <= m; i++) col[i] = Math.min(i, cap)
  let lact = k // last row whose value is ≤ k
  const ends: { end: number; errors: number }[] = []
  for (let j = 1; j <= text.length; j++) {
    const c = text.charCodeAt(j - 1)
    const top = Math.min(lact + 1, m)
    let diag = 0 // col[i - 1] of the previous column
    for (let i = 1; i <= top; i++) {
      const left = col[i]
      const v = pattern.charCodeAt(i - 1) === c ? diag : 1 + Math.min(diag, left, col[i - 1])
      col[i] = Math.min(v, cap)
      diag = left
    }
    lact = top
    while (lact > 0 && col[lact] > k) lact--
    // Rows above the active band are > k by Ukkonen's argument; make the stored value say so.
    if (lact + 1 <= m) col[lact + 1] = cap
    if (lact === m) ends.push({ end: j, errors: col[m] })
  }
  const minima = localMinima(ends)
  minima.sort((a, b) => a.errors - b.errors || a.end - b.end)
  return minima.slice(0, limit).map(({ end }) => {
    const { start, errors } = bestStart(text, pattern, end, k)
    return { start, end, errors }
  })
}

/** Keeps one end per run of adjacent ends: the first one with the lowest error count. */
function localMinima(ends: { end: number; errors: number }[]): { end: number; errors: number }[] {
  const out: { end: number; errors: number }[] = []
  let run: { end: number; errors: number } | null = null
  let lastEnd = -2
  for (const e of ends) {
    if (run === null || e.end !== lastEnd + 1) {
      if (run) out.push(run)
      run = e
    } else if (e.errors < run.errors) run = e
    lastEnd = e.end
  }
  if (run) out.push(run)
  return out
}

/** The start that gives the fewest edits for a match ending at `end`; ties prefer a length closest to the pattern. */
function bestStart(text: string, pattern: string, end: number, k: number): { start: number; errors: number } {
  const m = pattern.length
  const from = Math.max(0, end - m - k)
  const w = end - from
  // Reverse DP: rows walk the pattern backwards, columns walk the text backwards from `end`.
  let prev = new Int32Array(w + 1)
  let cur = new Int32Array(w + 1)
  for (let j = 0; j <= w; j++) prev[j] = j
  for (let i = 1; i <= m; i++) {
    cur[0] = i
    const pc = pattern.charCodeAt(m - i)
    for (let j = 1; j <= w; j++) {
      const sub = prev[j - 1] + (pc === text.charCodeAt(end - j) ? 0 : 1)
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1)
    }
    ;[prev, cur] = [cur, prev]
  }
  let best = 0
  for (let j = 1; j <= w; j++) {
    const better = prev[j] < prev[best] || (prev[j] === prev[best] && Math.abs(j - m) < Math.abs(best - m))
    if (better) best = j
  }
  return { start: end - best, errors: prev[best] }
}
