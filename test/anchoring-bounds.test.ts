// [harden]+[precision] Anchoring stays bounded and never lands on a doubtful place:
// - anchors beyond ANCHOR_LIMITS are refused when made and never scored when read;
// - one-character quotes and 1,000-character quotes place in bounded time on long documents;
// - the bit-parallel scan agrees with the textbook DP on multi-block patterns (seeded);
// - re-anchoring never cuts a word the quote kept whole, nor keeps an edit that shares too few
//   words (orphan instead); "changed since" only when the quoted words changed.
// Pure: Y.Docs in memory, synced by hand.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ANCHOR_LIMITS, AnchorSchema, anchorByQuote, createAnchor, editDistance, matchQuote, quoteChanged, resolveAnchor, type Anchor } from '../shared/anchoring/index.ts'
import { myersScan } from '../shared/anchoring/myers.ts'
import { groupDivergences } from '../shared/review/index.ts'
import { makeAnnotation } from '../shared/annotations.ts'

function replica(clientID: number, initial?: string): { doc: Y.Doc; text: () => Y.Text } {
  const doc = new Y.Doc()
  doc.clientID = clientID
  if (initial !== undefined) doc.getMap<Y.Text>('docs').set('draft', new Y.Text(initial))
  return { doc, text: () => doc.getMap<Y.Text>('docs').get('draft') as Y.Text }
}

function sync(...docs: Y.Doc[]): void {
  for (const a of docs) for (const b of docs) if (a !== b) Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
}

function anchorOn(ytext: Y.Text, quote: string): Anchor {
  const start = ytext.toString().indexOf(quote)
  expect(start).toBeGreaterThanOrEqual(0)
  return createAnchor(ytext, start, start + quote.length)
}

/** Replaces the whole text in one transaction (every old item is gone, so positions no longer hold). */
function rewrite(t: Y.Text, next: string): void {
  t.doc!.transact(() => {
    t.delete(0, t.length)
    t.insert(0, next)
  })
}

function mulberry32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = 'the quick brown fox jumps over a lazy dog while every reader sees each sentence differently'.split(' ')
const prose = (chars: number, seed = 1): string => {
  const rnd = mulberry32(seed)
  let out = ''
  while (out.length < chars) out += WORDS[Math.floor(rnd() * WORDS.length)] + (rnd() < 0.1 ? '. ' : ' ')
  return out.slice(0, chars)
}

describe('anchor limits', () => {
  it('refuses to make an anchor beyond the limits, saying how to fix it', () => {
    const r = replica(1, prose(3000))
    expect(() => createAnchor(r.text(), 0, ANCHOR_LIMITS.quote + 1)).toThrow(/at most 1000.*shorter passage/)
    expect(createAnchor(r.text(), 0, ANCHOR_LIMITS.quote).quote.exact).toHaveLength(ANCHOR_LIMITS.quote)
    // Context asked beyond the limit is cut to it.
    expect(createAnchor(r.text(), 500, 510, 500).quote.prefix).toHaveLength(ANCHOR_LIMITS.context)
    const long = r
      .text()
      .toString()
      .slice(0, ANCHOR_LIMITS.quote + 1)
    expect(() => anchorByQuote(r.text(), long)).toThrow(RangeError)
    expect(() => anchorByQuote(r.text(), 'fox', { prefix: 'x'.repeat(65) })).toThrow(/at most 64 characters of context/)
  })

  it('treats stored anchors beyond the limits as invalid: schema refuses them, resolve never scores them', () => {
    const r = replica(1, prose(3000))
    const anchor = anchorOn(r.text(), r.text().toString().slice(100, 120))
    const oversized = { ...anchor, quote: { exact: 'e', prefix: 'y'.repeat(100_000), suffix: 'y'.repeat(100_000) } }
    expect(AnchorSchema.safeParse(oversized).success).toBe(false)
    expect(AnchorSchema.safeParse({ ...anchor, quote: { ...anchor.quote, exact: 'x'.repeat(1001) } }).error?.issues[0].message).toMatch(/at most 1000/)
    const t0 = performance.now()
    expect(resolveAnchor(r.text(), oversized)).toEqual({ status: 'orphaned', reason: 'invalid' })
    expect(performance.now() - t0).toBeLessThan(50)
  })

  it('places a one-character quote found everywhere quickly, and as ambiguous rather than a guess', () => {
    const text = prose(100_000)
    const t0 = performance.now()
    for (let i = 0; i < 100; i++) {
      expect(matchQuote(text, { exact: 'e', prefix: 'x'.repeat(64), suffix: 'x'.repeat(64) }, i * 997).kind).toBe('ambiguous')
    }
    const perQuote = (performance.now() - t0) / 100
    console.log(`one-character quote on 100,000 characters: ${perQuote.toFixed(2)} ms each`)
    expect(perQuote).toBeLessThan(20)
  })

  it('searches a maximal edited quote on a long document in bounded time', () => {
    const text = prose(200_000, 2)
    const at = 150_000
    const exact = text.slice(at, at + ANCHOR_LIMITS.quote)
    const edited = text.slice(0, at) + exact.replace(/ fox /g, ' wolf ') + text.slice(at + ANCHOR_LIMITS.quote)
    const quote = { exact, prefix: text.slice(at - 64, at), suffix: text.slice(at + 1000, at + 1064) }
    const t0 = performance.now()
    const rounds = 10
    for (let i = 0; i < rounds; i++) matchQuote(edited, quote, (i * 7919) % 200_000)
    const perQuote = (performance.now() - t0) / rounds
    console.log(`1,000-character edited quote on 200,000 characters: ${perQuote.toFixed(1)} ms each`)
    expect(perQuote).toBeLessThan(100)
    // Found from its old place, with the edits inside.
    expect(matchQuote(edited, quote, at)).toMatchObject({ kind: 'match', start: at })
  })
})

describe('bit-parallel scan', () => {
  it('agrees with the textbook DP for patterns spanning several 32-bit blocks', () => {
    const seed = Number(process.env.ANCHOR_SEED ?? Date.now() % 2 ** 31)
    console.log(`myers random test seed: ${seed} (replay with ANCHOR_SEED=${seed})`)
    const rnd = mulberry32(seed)
    const str = (n: number): string => Array.from({ length: n }, () => 'abcd'[Math.floor(rnd() * 4)]).join('')
    for (let round = 0; round < 60; round++) {
      const pattern = str(1 + Math.floor(rnd() * 100))
      const text = str(Math.floor(rnd() * 160))
      // Sellers' DP: best substring ending at j; and the anchored (global from 0) variant.
      let search = Array.from({ length: pattern.length + 1 }, (_, i) => i)
      const gotSearch: number[] = []
      myersScan(text, pattern, false, (_, d) => gotSearch.push(d))
      const gotAnchored: number[] = []
      myersScan(text, pattern, true, (_, d) => gotAnchored.push(d))
      for (let j = 1; j <= text.length; j++) {
        const next = [0]
        for (let i = 1; i <= pattern.length; i++) {
          next[i] = Math.min(search[i - 1] + (pattern[i - 1] === text[j - 1] ? 0 : 1), search[i] + 1, next[i - 1] + 1)
        }
        search = next
        expect(gotSearch[j - 1], `seed ${seed} round ${round} j ${j}`).toBe(search[pattern.length])
        expect(gotAnchored[j - 1], `seed ${seed} round ${round} j ${j}`).toBe(editDistance(pattern, text.slice(0, j)))
      }
    }
  })
})

describe('re-anchoring never chooses a doubtful place', () => {
  it('does not land on parts of words after two concurrent rewrites ("is acknowledged" vs "before acknowledgement")', () => {
    const original = 'Everyone agrees that the risk is acknowledged in the plan for this year.'
    const a = replica(1, original)
    const b = replica(2)
    const c = replica(3)
    sync(a.doc, b.doc, c.doc)
    const anchor = anchorOn(a.text(), 'is acknowledged')
    // Two people rewrite the same words at the same time, each their own way.
    const is = original.indexOf('is acknowledged')
    b.doc.transact(() => {
      b.text().delete(is, 'is '.length)
      b.text().insert(is, 'arose before ')
    })
    const ack = original.indexOf('acknowledged')
    c.doc.transact(() => {
      c.text().delete(ack, 'acknowledged'.length)
      c.text().insert(ack, 'acknowledgement')
    })
    sync(a.doc, b.doc, c.doc)
    expect(a.text().toString()).toBe('Everyone agrees that the risk arose before acknowledgement in the plan for this year.')
    // "re acknowledge" is 3 edits from the quote with matching context: it used to be chosen.
    expect(resolveAnchor(a.text(), anchor)).toEqual({ status: 'orphaned', reason: 'not-found' })
  })

  it('follows a quote whose words survive, on whole words only', () => {
    const r = replica(1, 'Intro. The risk is acknowledged by everyone. Outro.')
    const anchor = anchorOn(r.text(), 'is acknowledged')
    rewrite(r.text(), 'A new intro here. Then: the risk is acknowledged, said everyone. Outro.')
    const placed = resolveAnchor(r.text(), anchor)
    expect(placed.status).toBe('fuzzy')
    if (placed.status === 'orphaned') return
    expect(r.text().toString().slice(placed.start, placed.end)).toBe('is acknowledged')
    // An exact occurrence inside longer words is not the quote ("this acknowledgedly").
    rewrite(r.text(), 'Of this acknowledgedly we know nothing.')
    expect(resolveAnchor(r.text(), anchor).status).toBe('orphaned')
  })

  it('orphans a weakly similar remnant: few characters edited, but most words changed', () => {
    const r = replica(1, 'Before. We think the budget doubled last year, roughly. After.')
    const anchor = anchorOn(r.text(), 'the budget doubled last year')
    // 3 character edits in 28 (well under the 25% allowed), but 3 of 5 words are no longer there.
    rewrite(r.text(), 'Before. We think the budgut doubted last yeah, roughly. After.')
    expect(resolveAnchor(r.text(), anchor).status).toBe('orphaned')
    // One word edited of five: still the same passage.
    rewrite(r.text(), 'Before. We think the budget tripled last year, roughly. After.')
    expect(resolveAnchor(r.text(), anchor)).toMatchObject({ status: 'fuzzy' })
  })
})

describe('changed since annotated', () => {
  const TEXT = 'Alpha beta. The budget doubled last year. Gamma delta.'
  const setup = () => {
    const r = replica(1, TEXT)
    const ann = makeAnnotation({ author: 'a', doc: 'draft', target: anchorOn(r.text(), 'budget doubled'), body: { comment: 'Source?' }, createdAt: 1 })
    const changed = () => groupDivergences('draft', r.text(), new Map([['a', [ann]]])).groups[0]?.readings[0].annotations[0].changedSince
    return { r, ann, changed }
  }

  it('is false when only the neighbouring words change', () => {
    const { r, changed } = setup()
    const t = r.text()
    t.delete(TEXT.indexOf('The budget'), 'The'.length)
    t.insert(TEXT.indexOf('The budget'), 'Our')
    const after = t.toString().indexOf(' last year')
    t.delete(after, ' last year'.length)
    t.insert(after, ' this spring')
    expect(t.toString()).toContain('Our budget doubled this spring')
    expect(changed()).toBe(false)
  })

  it('is false when the quote moved unchanged, true when its words changed', () => {
    const { r, ann, changed } = setup()
    rewrite(r.text(), 'New opening. Gamma delta. The budget doubled last year.')
    expect(changed()).toBe(false)
    const t = r.text()
    const at = t.toString().indexOf('doubled')
    t.delete(at, 'doubled'.length)
    t.insert(at, 'doubles')
    expect(changed()).toBe(true)
    const placed = resolveAnchor(t, ann.target)
    expect(quoteChanged(t.toString(), ann.target, placed)).toBe(true)
  })
})
