// A character diff of two texts as edit operations on the first (Myers' O(ND) algorithm), so a
// restore rewrites only what differs and annotations anchored in unchanged text keep their place.
// Bounded: beyond `maxEdits` differences the middle is replaced whole (still correct, less minimal).

export type TextEdit = { index: number; delete: number; insert: string }

/** Edits that turn `from` into `to`, applied in order (indexes account for earlier edits). */
export function textEdits(from: string, to: string, maxEdits = 1000): TextEdit[] {
  let start = 0
  while (start < from.length && start < to.length && from[start] === to[start]) start++
  let endA = from.length
  let endB = to.length
  while (endA > start && endB > start && from[endA - 1] === to[endB - 1]) {
    endA--
    endB--
  }
  const a = from.slice(start, endA)
  const b = to.slice(start, endB)
  if (a.length === 0 && b.length === 0) return []
  const script = myers(a, b, maxEdits)
  if (!script) return [{ index: start, delete: a.length, insert: b }]
  // Turn the keep/delete/insert script into edits on the growing result.
  const edits: TextEdit[] = []
  let pos = start
  for (const op of script) {
    if (op.kind === 'keep') {
      pos += op.n
      continue
    }
    const last = edits.at(-1)
    if (last && last.index + last.insert.length === pos) {
      if (op.kind === 'delete') last.delete += op.n
      else last.insert += op.text
    } else {
      edits.push(op.kind === 'delete' ? { index: pos, delete: op.n, insert: '' } : { index: pos, delete: 0, insert: op.text })
    }
    if (op.kind === 'insert') pos += op.text.length
  }
  return edits
}

type Op = { kind: 'keep'; n: number } | { kind: 'delete'; n: number } | { kind: 'insert'; n: number; text: string }

/** Shortest edit script, or null when it needs more than maxEdits edits. */
function myers(a: string, b: string, maxEdits: number): Op[] | null {
  const n = a.length
  const m = b.length
  const max = Math.min(n + m, maxEdits)
  const offset = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  for (let d = 0; d <= max; d++) {
    // Only diagonals -d..d matter at step d: keep just those (O(D²) memory, not O(D·N)).
    trace.push(v.slice(offset - d, offset + d + 1))
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) return backtrack(trace, a, b, d)
    }
  }
  return null
}

function backtrack(trace: Int32Array[], a: string, b: string, dEnd: number): Op[] {
  const ops: Op[] = []
  const push = (op: Op) => {
    const last = ops.at(-1)
    if (last && last.kind === op.kind && op.kind !== 'insert') last.n += op.n
    else if (last && last.kind === 'insert' && op.kind === 'insert') last.text = op.text + last.text
    else ops.push(op)
  }
  let x = a.length
  let y = b.length
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d] // diagonal k at index k + d
    const k = x - y
    const prevK = k === -d || (k !== d && v[k - 1 + d] < v[k + 1 + d]) ? k + 1 : k - 1
    const prevX = v[prevK + d]
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) {
      push({ kind: 'keep', n: 1 })
      x--
      y--
    }
    if (x === prevX) push({ kind: 'insert', n: 1, text: b[prevY] })
    else push({ kind: 'delete', n: 1 })
    x = prevX
    y = prevY
  }
  if (x > 0) push({ kind: 'keep', n: x })
  return ops.reverse()
}
