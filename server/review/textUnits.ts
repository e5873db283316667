// A Y.Text's item list as a sequence of units (characters, tombstones included), so Yjs ids
// can be compared by where they sit in the text even after they were deleted.
import * as Y from 'yjs'
import type { IdRange } from '../../shared/review/index.ts'

export interface Segment {
  item: Y.Item
  /** Sequence index of the item's first unit. */
  seq: number
}

export interface YId {
  client: number
  clock: number
}

export class TextUnits {
  readonly segments: Segment[] = []
  readonly #byClient = new Map<number, Segment[]>()

  constructor(readonly text: Y.Text) {
    let seq = 0
    for (let item = text._start; item !== null; item = item.right) {
      const s = { item, seq }
      this.segments.push(s)
      const list = this.#byClient.get(item.id.client) ?? []
      list.push(s)
      this.#byClient.set(item.id.client, list)
      seq += item.length
    }
  }

  /** Sequence index of the unit with this id, or null when it is not part of this text. */
  seqOf(id: YId | undefined): number | null {
    if (!id) return null
    for (const s of this.#byClient.get(id.client) ?? []) {
      const d = id.clock - s.item.id.clock
      if (d >= 0 && d < s.item.length) return s.seq + d
    }
    return null
  }

  /** Sequence indices of every unit of `range` found in this text. */
  seqsOf(range: IdRange): number[] {
    const out: number[] = []
    for (let i = 0; i < range.length; i++) {
      const seq = this.seqOf({ client: range.client, clock: range.clock + i })
      if (seq !== null) out.push(seq)
    }
    return out
  }

  /** Every unit in [lo, hi] in order: its id and its character when visible (null for tombstones and non-text). */
  *units(lo: number, hi: number): Generator<{ seq: number; id: YId; char: string | null }> {
    for (const s of this.segments) {
      const { item } = s
      if (s.seq + item.length <= lo) continue
      if (s.seq > hi) break
      const str = !item.deleted && item.content instanceof Y.ContentString ? item.content.str : null
      for (let d = Math.max(0, lo - s.seq); d < item.length && s.seq + d <= hi; d++) {
        yield { seq: s.seq + d, id: { client: item.id.client, clock: item.id.clock + d }, char: str === null ? null : str[d] }
      }
    }
  }
}

export const inRanges = (ranges: IdRange[], id: YId): boolean => ranges.some((r) => r.client === id.client && id.clock >= r.clock && id.clock < r.clock + r.length)

/** The ids of the visible characters [start, end) of `text`, as contiguous ranges. */
export function visibleIds(text: Y.Text, start: number, end: number): IdRange[] {
  const out: IdRange[] = []
  let index = 0
  for (let item = text._start; item !== null && index < end; item = item.right) {
    if (item.deleted || !item.countable) continue
    const from = Math.max(start, index)
    const to = Math.min(end, index + item.length)
    if (from < to) {
      const clock = item.id.clock + (from - index)
      const last = out.at(-1)
      if (last && last.client === item.id.client && last.clock + last.length === clock) last.length += to - from
      else out.push({ client: item.id.client, clock, length: to - from })
    }
    index += item.length
  }
  return out
}
