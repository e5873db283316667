// Values attached to clock ranges of Yjs clients, e.g. "these characters were deleted by op X".
// Per client a sorted list of disjoint segments; a segment may carry several values.

export interface Segment<T> {
  start: number
  /** Exclusive. */
  end: number
  values: T[]
}

export class RangeIndex<T> {
  #clients = new Map<number, Segment<T>[]>()

  /** Index of the first segment whose end is > clock. */
  #seek(segs: Segment<T>[], clock: number): number {
    let lo = 0
    let hi = segs.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (segs[mid].end <= clock) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  add(client: number, start: number, len: number, value: T): void {
    if (len <= 0) return
    let segs = this.#clients.get(client)
    if (segs === undefined) this.#clients.set(client, (segs = []))
    const end = start + len
    const i = this.#seek(segs, start)
    let j = i
    while (j < segs.length && segs[j].start < end) j++
    const pieces: Segment<T>[] = []
    let pos = start
    for (const seg of segs.slice(i, j)) {
      if (seg.start < start) pieces.push({ start: seg.start, end: start, values: seg.values })
      if (seg.start > pos) pieces.push({ start: pos, end: seg.start, values: [value] })
      const s = Math.max(seg.start, start)
      const e = Math.min(seg.end, end)
      pieces.push({ start: s, end: e, values: seg.values.includes(value) ? seg.values : [...seg.values, value] })
      if (seg.end > end) pieces.push({ start: end, end: seg.end, values: seg.values })
      pos = e
    }
    if (pos < end) pieces.push({ start: pos, end, values: [value] })
    segs.splice(i, j - i, ...pieces)
  }

  get(client: number, clock: number): T[] {
    const segs = this.#clients.get(client)
    if (segs === undefined) return []
    const seg = segs[this.#seek(segs, clock)]
    return seg !== undefined && seg.start <= clock ? seg.values : []
  }

  /** [start, start+len) cut at segment boundaries; gaps come back with no values. */
  slices(client: number, start: number, len: number): Segment<T>[] {
    const end = start + len
    const segs = this.#clients.get(client) ?? []
    const out: Segment<T>[] = []
    let pos = start
    for (let i = this.#seek(segs, start); pos < end; i++) {
      const seg = segs[i]
      if (seg === undefined || seg.start >= end) {
        out.push({ start: pos, end, values: [] })
        break
      }
      if (seg.start > pos) out.push({ start: pos, end: seg.start, values: [] })
      const stop = Math.min(end, seg.end)
      out.push({ start: Math.max(pos, seg.start), end: stop, values: seg.values })
      pos = stop
    }
    return out
  }
}
