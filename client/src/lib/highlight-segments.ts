// Annotation highlights cut into segments where the set of readers does not change, so text
// several readers marked shows each of them (one underline band per reader and a count)
// instead of a blend of translucent colours nobody can read apart.

export interface Highlight {
  id: string
  from: number
  to: number
  color: string
  /** Shown on hover. */
  title: string
}

export interface Segment {
  from: number
  to: number
  /** The highlights covering the whole segment, in the order given. */
  highlights: Highlight[]
}

/** At most this many bands are drawn; the count still says how many readers there are. */
export const MAX_BANDS = 4

export function segmentHighlights(highlights: Highlight[], length: number): Segment[] {
  const valid = highlights.filter((h) => h.from < h.to && h.to <= length && h.from >= 0)
  const cuts = [...new Set(valid.flatMap((h) => [h.from, h.to]))].sort((a, b) => a - b)
  const segments: Segment[] = []
  for (let i = 0; i + 1 < cuts.length; i++) {
    const from = cuts[i]
    const to = cuts[i + 1]
    const covering = valid.filter((h) => h.from <= from && h.to >= to)
    if (covering.length > 0) segments.push({ from, to, highlights: covering })
  }
  return segments
}

/** How many distinct readers (colours stand for readers) cover a segment. */
export function readersOf(segment: Segment): string[] {
  return [...new Set(segment.highlights.map((h) => h.color))]
}
