// [reach] locateQuote: an edit lands on exactly one exact occurrence, or is refused with candidates.

import { describe, expect, it } from 'vitest'
import { locateQuote, MAX_QUOTE_CANDIDATES } from '../shared/anchoring/index.ts'

describe('locateQuote', () => {
  it('finds the single exact occurrence', () => {
    expect(locateQuote('one two three', { exact: 'two' })).toEqual({ kind: 'found', start: 4, end: 7 })
  })

  it('is ambiguous with several, and prefix or suffix picks one', () => {
    const text = 'a cat, a cat, the cat'
    const amb = locateQuote(text, { exact: 'cat' })
    expect(amb.kind).toBe('ambiguous')
    expect(amb.kind === 'ambiguous' && amb.candidates.map((c) => c.start)).toEqual([2, 9, 18])
    expect(locateQuote(text, { exact: 'cat', prefix: 'the ' })).toEqual({ kind: 'found', start: 18, end: 21 })
    expect(locateQuote(text, { exact: 'cat', suffix: ', the' })).toEqual({ kind: 'found', start: 9, end: 12 })
    expect(locateQuote(text, { exact: 'cat', prefix: 'a ' }).kind).toBe('ambiguous')
  })

  it('a quote present only with other context is missing, with those occurrences as candidates', () => {
    const r = locateQuote('the cat sat', { exact: 'cat', prefix: 'a ' })
    expect(r).toMatchObject({ kind: 'missing', candidates: [{ start: 4, end: 7, text: 'cat', before: 'the ', after: ' sat' }] })
  })

  it('a quote not there at all offers the nearest approximate spans', () => {
    const r = locateQuote('Experts widely agree on this.', { exact: 'widly agree on' })
    expect(r.kind).toBe('missing')
    expect(r.kind === 'missing' && r.candidates[0]?.text).toBe('widely agree on')
    expect(locateQuote('abc', { exact: 'zzzzzzzzzzzz' })).toEqual({ kind: 'missing', candidates: [] })
  })

  it('bounds the candidates', () => {
    const r = locateQuote('x '.repeat(1000), { exact: 'x' })
    expect(r.kind === 'ambiguous' && r.candidates.length).toBe(MAX_QUOTE_CANDIDATES)
  })
})
