// The detector's version vectors: same answers as a plain Map, while versions share structure
// (one writer's knowledge differs from the last in a few entries; it must not copy the rest).
import { describe, expect, it } from 'vitest'
import { Vector } from '../shared/conflicts/index.ts'

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const asMap = (v: Vector<number>) => new Map([...v.entries()].sort(([a], [b]) => a - b))
const maxMerge = (a: Map<number, number>, b: Map<number, number>) => {
  const out = new Map(a)
  for (const [k, x] of b) if ((out.get(k) ?? -Infinity) < x) out.set(k, x)
  return new Map([...out].sort(([x], [y]) => x - y))
}

describe('Vector', () => {
  it('answers like a Map under random raises and merges (seeded)', () => {
    const seed = Number(process.env.VECTOR_SEED ?? Date.now() % 2 ** 31)
    console.log(`[vector] seed=${seed} (replay with VECTOR_SEED=${seed})`)
    const rand = random(seed)
    const versions: Array<{ v: Vector<number>; m: Map<number, number> }> = [{ v: Vector.empty(), m: new Map() }]
    for (let step = 0; step < 2_000; step++) {
      const pick = () => versions[Math.floor(rand() * versions.length)]
      const a = pick()
      const r = rand()
      let next: { v: Vector<number>; m: Map<number, number> }
      if (r < 0.5) {
        const key = Math.floor(rand() * 200)
        const value = Math.floor(rand() * 1_000)
        next = { v: a.v.with(key, value), m: maxMerge(a.m, new Map([[key, value]])) }
      } else if (r < 0.8) {
        const b = pick()
        next = { v: a.v.merge(b.v), m: maxMerge(a.m, b.m) }
        expect(next.v.covers(a.v) && next.v.covers(b.v)).toBe(true)
      } else {
        const raise = new Map(Array.from({ length: 20 }, () => [Math.floor(rand() * 200), Math.floor(rand() * 1_000)] as [number, number]))
        next = { v: a.v.raisedBy(raise), m: maxMerge(a.m, raise) }
      }
      expect(asMap(next.v)).toEqual(next.m)
      for (let probe = 0; probe < 5; probe++) {
        const key = Math.floor(rand() * 200)
        expect(next.v.get(key)).toBe(next.m.get(key))
      }
      versions.push(next)
    }
  })

  it('returns the same object when nothing is raised, and covers exactly', () => {
    const v = Vector.of<number>([
      [1, 5],
      [2, 3],
    ])
    expect(v.with(1, 4)).toBe(v)
    expect(v.raisedBy([[2, 3]])).toBe(v)
    expect(v.merge(Vector.of([[1, 2]]))).toBe(v)
    expect(
      v.covers(
        Vector.of([
          [1, 5],
          [2, 3],
        ]),
      ),
    ).toBe(true)
    expect(v.covers(Vector.of([[3, 1]]))).toBe(false)
  })

  it('shares structure: 1,000 versions each raising one entry of a 1,000-entry base store O(n log n), not O(n²)', () => {
    const base = Vector.of<number>(Array.from({ length: 1_000 }, (_, i) => [i, 1] as [number, number]))
    let v = base
    const versions: Vector<number>[] = []
    for (let i = 0; i < 1_000; i++) versions.push((v = v.with(1_000 + i, 1)))
    // Entries held by the versions' own layers (a layer shared by several versions counts once).
    const layers = new Set<Vector<number>>()
    for (const x of versions) for (let l: Vector<number> | null = x; l !== null && l !== base; l = l.below) layers.add(l)
    const stored = [...layers].reduce((n, l) => n + l.layer.size, 0)
    // A full copy per version would be ~1,500,000 entries.
    expect(stored).toBeLessThan(1_000 * 40)
  })
})
