// [review] Interpretive differences: grouping by overlapping stretch, agreement, orphans. Pure.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { groupDivergences } from '../shared/review/index.ts'
import { createAnchor } from '../shared/anchoring/index.ts'
import { makeAnnotation, type Annotation } from '../shared/annotations.ts'

const TEXT = 'Studies show that agents are always faster. The design took months. Many experts agree.'

function setup() {
  const doc = new Y.Doc()
  const text = doc.getText('t')
  text.insert(0, TEXT)
  const at = (quote: string) => {
    const start = TEXT.indexOf(quote)
    return createAnchor(text, start, start + quote.length)
  }
  const ann = (author: string, quote: string, label: string, comment = `${author} on ${quote}`): Annotation =>
    makeAnnotation({ author, doc: 'draft', target: at(quote), body: { label, comment }, createdAt: 1 })
  return { doc, text, ann }
}

describe('groupDivergences', () => {
  it('groups overlapping anchors across namespaces and keeps disjoint ones apart', () => {
    const { text, ann } = setup()
    const byPrincipal = new Map([
      ['a', [ann('a', 'Studies show', 'unsupported'), ann('a', 'Many experts', 'weasel')]],
      ['b', [ann('b', 'show that agents', 'unsupported')]],
      ['c', [ann('c', 'always faster', 'absolute'), ann('c', 'took months', 'vague')]],
    ])
    const d = groupDivergences('draft', text, byPrincipal)
    expect(d.groups.map((g) => g.range.text)).toEqual(['Studies show that agents', 'always faster', 'took months', 'Many experts'])
    const first = d.groups[0]
    expect(first.readings.map((r) => r.principal)).toEqual(['a', 'b'])
    expect(first.agreement).toMatchObject({ readers: 2, full: [{ topic: 'unsupported', readers: ['a', 'b'], reasons: ['same label'] }], partial: [], differ: [] })
    expect(d.summary).toEqual({ stretches: 4, singleReading: 3, severalReadings: 1, fullAgreement: 1, partialAgreement: 0, difference: 0 })
  })

  it('reports what readers differ on', () => {
    const { text, ann } = setup()
    const d = groupDivergences(
      'draft',
      text,
      new Map([
        ['a', [ann('a', 'always faster', 'absolute')]],
        ['b', [ann('b', 'agents are always', 'fine')]],
      ]),
    )
    expect(d.groups).toHaveLength(1)
    expect(d.groups[0].agreement).toMatchObject({
      readers: 2,
      full: [],
      partial: [],
      differ: [
        { topic: 'fine', readers: ['b'] },
        { topic: 'overclaim', labels: ['absolute'], readers: ['a'] },
      ],
    })
  })

  it('one reader is one reading (no difference); a label two of three share is partial agreement, not a difference', () => {
    const { text, ann } = setup()
    const alone = groupDivergences('draft', text, new Map([['a', [ann('a', 'always faster', 'absolute'), ann('a', 'agents are always', 'vague')]]]))
    expect(alone.groups[0].agreement).toMatchObject({ readers: 1, full: [], partial: [], differ: [] })
    expect(alone.summary).toMatchObject({ singleReading: 1, fullAgreement: 0, partialAgreement: 0, difference: 0 })
    const three = groupDivergences(
      'draft',
      text,
      new Map([
        ['a', [ann('a', 'always faster', 'absolute', 'Never always.')]],
        ['b', [ann('b', 'agents are always', 'Absolute', 'Too strong.')]],
        ['c', [ann('c', 'are always faster', 'fine', 'Reads well.')]],
      ]),
    )
    const g = three.groups[0].agreement
    expect(g.full).toEqual([])
    expect(g.partial.map((p) => [p.topic, p.readers, p.reasons])).toEqual([['overclaim', ['a', 'b'], ['same label']]])
    expect(g.differ.map((p) => [p.topic, p.readers])).toEqual([['fine', ['c']]])
    expect(three.summary).toMatchObject({ severalReadings: 1, fullAgreement: 0, partialAgreement: 1, difference: 1 })
  })

  it('marks annotations whose text changed and lists orphans instead of misplacing them', () => {
    const { text, ann } = setup()
    const kept = ann('a', 'The design took months', 'vague')
    const gone = ann('b', 'Many experts agree', 'weasel')
    text.insert(TEXT.indexOf('took months') + 4, ' many') // inside the first span
    text.delete(TEXT.indexOf('Many experts'), 'Many experts agree'.length + 5)
    const d = groupDivergences(
      'draft',
      text,
      new Map([
        ['a', [kept]],
        ['b', [gone]],
      ]),
    )
    expect(d.orphans.map((o) => o.id)).toEqual([gone.id])
    expect(d.groups).toHaveLength(1)
    expect(d.groups[0].readings[0].annotations[0].changedSince).toBe(true)
  })

  it('ignores annotations on other documents', () => {
    const { text, ann } = setup()
    const other = { ...ann('a', 'Studies show', 'x'), doc: 'other' }
    expect(groupDivergences('draft', text, new Map([['a', [other]]])).groups).toEqual([])
  })
})
