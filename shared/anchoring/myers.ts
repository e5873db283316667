// Myers' bit-parallel edit distance (1999), in 32-bit blocks (Hyyrö's multi-word form): one text
// character advances ⌈pattern/32⌉ words instead of `pattern` DP cells, so scanning a
// 3,000-character document for a 1,000-character quote costs ~100k word operations, not 3M cells.

export const WORD_BITS = 32

/** Cost of a scan in block operations: what the search budgets count. */
export const scanCost = (textLength: number, patternLength: number): number => textLength * Math.ceil(patternLength / WORD_BITS)

/**
 * Calls `visit(j, d)` for j = 1..text.length, where d is the edit distance between `pattern` and
 * - the best substring of `text` ending at j (anchored = false: approximate search), or
 * - the prefix text[0, j) (anchored = true: a global alignment starting at 0).
 */
export function myersScan(text: string, pattern: string, anchored: boolean, visit: (j: number, d: number) => void): void {
  const m = pattern.length
  if (m === 0) {
    for (let j = 1; j <= text.length; j++) visit(j, anchored ? j : 0)
    return
  }
  const blocks = Math.ceil(m / WORD_BITS)
  // Peq: for each character of the pattern, the bit mask of the rows where it occurs.
  const peq = new Map<number, Int32Array>()
  for (let i = 0; i < m; i++) {
    const c = pattern.charCodeAt(i)
    let mask = peq.get(c)
    if (!mask) peq.set(c, (mask = new Int32Array(blocks)))
    mask[i >>> 5] |= 1 << (i & 31)
  }
  const none = new Int32Array(blocks)
  const pv = new Int32Array(blocks).fill(-1) // vertical deltas +1: D[i][0] = i
  const mv = new Int32Array(blocks)
  const lastBit = 1 << ((m - 1) & 31)
  let score = m
  for (let j = 0; j < text.length; j++) {
    const eq = peq.get(text.charCodeAt(j)) ?? none
    // The top row: 0 everywhere (search) or j (anchored): its horizontal delta enters block 0.
    let hin = anchored ? 1 : 0
    for (let b = 0; b < blocks; b++) {
      let e = eq[b]
      const p = pv[b]
      const n = mv[b]
      const xv = e | n
      if (hin < 0) e |= 1
      const xh = ((((e & p) + p) | 0) ^ p) | e
      let ph = n | ~(xh | p)
      let mh = p & xh
      const high = b === blocks - 1 ? lastBit : 1 << 31
      const hout = ph & high ? 1 : mh & high ? -1 : 0
      ph <<= 1
      mh <<= 1
      if (hin < 0) mh |= 1
      else if (hin > 0) ph |= 1
      pv[b] = mh | ~(xv | ph)
      mv[b] = ph & xv
      hin = hout
    }
    score += hin
    visit(j + 1, score)
  }
}
