// The pure parts of notes in the margin: stacking notes in text order without overlap, and
// cutting overlapping highlights into segments that name every reader.

import { describe, expect, it } from 'vitest'
import { marginHeight, stackNotes } from '../../client/src/lib/margin-layout.ts'
import { readersOf, segmentHighlights, type Highlight } from '../../client/src/lib/highlight-segments.ts'

const h = (id: string, from: number, to: number, color: string): Highlight => ({ id, from, to, color, title: id })

describe('margin layout', () => {
  it('keeps each note level with its text unless the one above is in the way', () => {
    const items = [
      { id: 'b', want: 100, height: 50 },
      { id: 'a', want: 10, height: 40 },
      { id: 'c', want: 120, height: 30 },
      { id: 'd', want: 400, height: 20 },
    ]
    const tops = stackNotes(items, 8)
    expect(Object.fromEntries(tops)).toEqual({ a: 10, b: 100, c: 158, d: 400 })
    expect(marginHeight(items, tops)).toBe(420)
  })
})

describe('highlight segments', () => {
  it('splits overlaps so each reader keeps its own colour, and drops ranges outside the text', () => {
    const segments = segmentHighlights([h('x', 0, 10, '#111111'), h('y', 5, 15, '#222222'), h('z', 30, 40, '#333333')], 20)
    expect(segments.map((s) => [s.from, s.to, s.highlights.map((x) => x.id)])).toEqual([
      [0, 5, ['x']],
      [5, 10, ['x', 'y']],
      [10, 15, ['y']],
    ])
    expect(readersOf(segments[1])).toEqual(['#111111', '#222222'])
  })

  it('counts one reader once even with two notes on the same words', () => {
    const [segment] = segmentHighlights([h('x', 0, 4, '#111111'), h('y', 0, 4, '#111111')], 4)
    expect(segment.highlights).toHaveLength(2)
    expect(readersOf(segment)).toEqual(['#111111'])
  })
})

describe('plain words', () => {
  it('says why a note lost its text without internal codes', async () => {
    const { orphanReason } = await import('../../client/src/lib/words.ts')
    for (const reason of ['not-found', 'ambiguous', 'not-synced', 'invalid'] as const) {
      expect(orphanReason(reason)).not.toMatch(/-|\(/)
      expect(orphanReason(reason).length).toBeGreaterThan(10)
    }
  })
})
