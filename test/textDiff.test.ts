// textEdits (shared/textDiff.ts): applied in order, the edits turn one text into the other,
// and touch no more characters than a shortest edit script needs.

import { describe, expect, it } from 'vitest'
import * as prng from 'lib0/prng'
import { textEdits, type TextEdit } from '../shared/textDiff.ts'

const apply = (text: string, edits: TextEdit[]): string => edits.reduce((t, e) => t.slice(0, e.index) + e.insert + t.slice(e.index + e.delete), text)

const touched = (edits: TextEdit[]): number => edits.reduce((n, e) => n + e.delete + e.insert.length, 0)

describe('textEdits', () => {
  it('turns random texts into their random edits, minimally (seeded)', () => {
    const seed = Number(process.env.SEED ?? Date.now() % 1_000_000)
    console.log(`textEdits seed ${seed}`)
    const gen = prng.create(seed)
    for (let round = 0; round < 200; round++) {
      const from = prng.word(gen, 0, 60)
      let to = from
      let changes = 0
      for (let k = prng.int32(gen, 0, 4); k > 0; k--) {
        const at = prng.int32(gen, 0, to.length)
        const del = Math.min(prng.int32(gen, 0, 3), to.length - at)
        const ins = prng.word(gen, 0, 3)
        to = to.slice(0, at) + ins + to.slice(at + del)
        changes += del + ins.length
      }
      const edits = textEdits(from, to)
      expect(apply(from, edits), `seed ${seed} round ${round}`).toBe(to)
      expect(touched(edits), `seed ${seed} round ${round}`).toBeLessThanOrEqual(changes)
    }
  })

  it('keeps the unchanged words of a spread-out change', () => {
    const edits = textEdits('The quick brown fox jumps', 'The slow brown fox leaps')
    expect(apply('The quick brown fox jumps', edits)).toBe('The slow brown fox leaps')
    expect(edits.every((e) => e.delete < 10)).toBe(true)
    expect(edits.length).toBeGreaterThan(1)
  })

  it('falls back to one replacement beyond the edit bound, still exact', () => {
    const edits = textEdits('abcdefghij', 'ABCDEFGHIJ', 3)
    expect(edits).toEqual([{ index: 0, delete: 10, insert: 'ABCDEFGHIJ' }])
    expect(textEdits('same', 'same')).toEqual([])
  })
})
