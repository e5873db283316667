// [review] Incremental review, pure parts: which paragraphs changed since the last review, and
// how readers treat a superseded reading (hidden unless asked, marked, only within its namespace).

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { changedStretches, ReviewedTexts } from '../agents/reviewers/index.ts'
import { groupDivergences } from '../shared/review/index.ts'
import { createAnchor } from '../shared/anchoring/index.ts'
import { AnnotationSchema, isSuperseded, makeAnnotation, type Annotation } from '../shared/annotations.ts'

const P1 = 'The scheduler is fast. It was built last year.'
const P2 = 'The rollout starts in one region.'
const P3 = 'Most experts agree.'
const doc = (...ps: string[]) => ps.join('\n\n')
const texts = (now: string, before: string) => changedStretches(before, now).map((s) => now.slice(s.start, s.end))

describe('changedStretches', () => {
  it('returns only the edited paragraph, with its offsets in the new text', () => {
    const now = doc(P1, P2.replace('one', 'a single'), P3)
    const changed = changedStretches(doc(P1, P2, P3), now)
    expect(changed).toEqual([{ start: P1.length + 2, end: P1.length + 2 + P2.length + 'a single'.length - 'one'.length, text: 'The rollout starts in a single region.' }])
  })

  it('reads a new paragraph, and nothing for a deleted, moved or unchanged one', () => {
    expect(texts(doc(P1, P2, P3), doc(P1, P2, P3))).toEqual([])
    expect(texts(doc(P1, P3), doc(P1, P2, P3))).toEqual([])
    expect(texts(doc(P3, P1, P2), doc(P1, P2, P3))).toEqual([])
    expect(texts(doc(P1, 'A new paragraph.', P2, P3), doc(P1, P2, P3))).toEqual(['A new paragraph.'])
  })

  it('expands an edit of one character to its whole paragraph, and counts a duplicated paragraph once more', () => {
    expect(texts(doc(P1.replace('fast.', 'fast!'), P2), doc(P1, P2))).toEqual([P1.replace('fast.', 'fast!')])
    expect(texts(doc(P1, P2, P1), doc(P1, P2))).toEqual([P1])
  })

  it('a paragraph split in two is read as two changed paragraphs', () => {
    expect(texts(doc('The scheduler is fast.', 'It was built last year.', P2), doc(P1, P2))).toEqual(['The scheduler is fast.', 'It was built last year.'])
  })

  it('ReviewedTexts: the whole text the first time, then what changed since the text recorded as reviewed', () => {
    const memory = new ReviewedTexts()
    const first = memory.toRead('d', doc(P1, P2))
    expect(first).toEqual({ incremental: false, stretches: [{ start: 0, end: doc(P1, P2).length, text: doc(P1, P2) }] })
    // Not yet recorded (e.g. the review failed): still everything.
    expect(memory.toRead('d', doc(P1, P2)).incremental).toBe(false)
    memory.reviewed('d', doc(P1, P2))
    expect(memory.toRead('d', doc(P1, P2))).toEqual({ incremental: true, stretches: [] })
    expect(memory.toRead('d', doc(P1, P2, P3)).stretches.map((s) => s.text)).toEqual([P3])
    expect(memory.toRead('other', P3).incremental).toBe(false)
  })

  it('ReviewedTexts with a store: a new instance (a restarted agent) goes on from what was recorded; a damaged row means read everything', () => {
    const kept = new Map<string, string>()
    const store = { get: (k: string) => kept.get(k), set: (k: string, v: string) => void kept.set(k, v) }
    new ReviewedTexts(store).reviewed('d', doc(P1, P2))
    // Only paragraph hashes are kept, not the text.
    expect([...kept.values()].join('')).not.toContain('scheduler')
    expect(new ReviewedTexts(store).toRead('d', doc(P1, P2, P3)).stretches.map((s) => s.text)).toEqual([P3])
    for (const damaged of ['not json', '{"a":1}', '[1,2]']) {
      kept.set([...kept.keys()][0]!, damaged)
      expect(new ReviewedTexts(store).toRead('d', doc(P1, P2)).incremental).toBe(false)
    }
  })
})

describe('superseded readings', () => {
  const TEXT = 'Studies show that agents are always faster. Many experts agree.'
  function setup() {
    const ydoc = new Y.Doc()
    const text = ydoc.getText('t')
    text.insert(0, TEXT)
    const ann = (author: string, quote: string, comment: string, supersededBy?: string): Annotation => {
      const start = TEXT.indexOf(quote)
      const a = makeAnnotation({ author, doc: 'draft', target: createAnchor(text, start, start + quote.length), body: { label: 'overclaim', comment }, createdAt: 1 })
      return supersededBy ? { ...a, supersededBy } : a
    }
    return { text, ann }
  }

  it('are hidden by default, counted, and listed with supersededBy when asked', () => {
    const { text, ann } = setup()
    const newer = ann('a', 'always faster', 'Faster than what?')
    const older = ann('a', 'agents are always faster', 'No evidence.', newer.id)
    const other = ann('b', 'always faster', 'Which workloads?')
    const byPrincipal = new Map([
      ['a', [older, newer]],
      ['b', [other]],
    ])
    const hidden = groupDivergences('draft', text, byPrincipal)
    expect(hidden.superseded).toBe(1)
    expect(hidden.groups.flatMap((g) => g.readings.flatMap((r) => r.annotations.map((a) => a.id))).sort()).toEqual([newer.id, other.id].sort())

    const shown = groupDivergences('draft', text, byPrincipal, { showSuperseded: true })
    expect(shown.superseded).toBe(1)
    const listed = shown.groups.flatMap((g) => g.readings.flatMap((r) => r.annotations))
    expect(listed.find((a) => a.id === older.id)?.supersededBy).toBe(newer.id)
    expect(listed.find((a) => a.id === newer.id)?.supersededBy).toBeUndefined()
    // Agreement compares current readings: the same as with the earlier one hidden.
    expect(shown.groups[0]!.agreement).toEqual(hidden.groups[0]!.agreement)
  })

  it('a pointer to an id outside the namespace (another author, or nothing) hides nothing', () => {
    const { text, ann } = setup()
    const bReading = ann('b', 'always faster', 'Which workloads?')
    const claimsB = ann('a', 'always faster', 'Faster than what?', bReading.id)
    const dangling = ann('a', 'Many experts', 'Who?', 'a-0000000000000000')
    const d = groupDivergences(
      'draft',
      text,
      new Map([
        ['a', [claimsB, dangling]],
        ['b', [bReading]],
      ]),
    )
    expect(d.superseded).toBe(0)
    expect(d.groups.flatMap((g) => g.readings.flatMap((r) => r.annotations)).length).toBe(3)
    expect(isSuperseded(claimsB, new Set([claimsB.id]))).toBe(false)
    expect(isSuperseded({ id: 'x', supersededBy: 'x' }, new Set(['x']))).toBe(false)
  })

  it('supersededBy is bounded like an id', () => {
    const { ann } = setup()
    expect(AnnotationSchema.safeParse({ ...ann('a', 'Many experts', 'Who?'), supersededBy: 'a-' + 'f'.repeat(100) }).success).toBe(false)
    expect(AnnotationSchema.safeParse({ ...ann('a', 'Many experts', 'Who?'), supersededBy: '' }).success).toBe(false)
  })
})
