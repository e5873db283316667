// [precision] What readers of one stretch agree and differ on (shared/review/agreement.ts). Pure.

import { describe, expect, it } from 'vitest'
import {
  agreementKinds,
  agreementOf,
  commentWords,
  DEFAULT_VOCABULARY,
  jaccard,
  normaliseLabel,
  synonymIndex,
  vocabularyError,
  type AgreementInput,
} from '../shared/review/index.ts'

let next = 0
const reading = (principal: string, ...notes: Array<[label: string | null, comment: string]>): AgreementInput => ({
  principal,
  annotations: notes.map(([label, comment]) => ({ id: `${principal}-${next++}`, label, comment })),
})

describe('label normalisation', () => {
  it('folds case, punctuation, whitespace and simple plurals', () => {
    expect(normaliseLabel('  Unsupported  Claims! ')).toBe('unsupported claim')
    expect(normaliseLabel('citation-needed')).toBe('citation needed')
    expect(normaliseLabel('Studies')).toBe('study')
    expect(normaliseLabel('class')).toBe('class') // not a plural
    expect(normaliseLabel('status')).toBe('status')
    expect(normaliseLabel('VAGUE')).toBe(normaliseLabel('vague.'))
  })
})

describe('agreementOf', () => {
  it('one reader: one reading, neither agreement nor difference', () => {
    const a = agreementOf([reading('a', ['vague', 'Which?'], ['typo', 'Spelling.'])])
    expect(a).toMatchObject({ readers: 1, full: [], partial: [], differ: [] })
    expect(a.single.map((p) => p.topic).sort()).toEqual(['typo', 'vague'])
    expect(agreementKinds(a)).toEqual(['one-reading'])
  })

  it('separates full agreement, partial agreement (who) and difference', () => {
    const a = agreementOf([
      reading('a', ['unsupported', 'Source?'], ['typo', 'Spelling.']),
      reading('b', ['Unsupported', 'Which study?']),
      reading('c', ['unsupported', 'No citation.'], ['Typos', 'Two misspellings.'], ['tone', 'Too harsh.']),
    ])
    expect(a.readers).toBe(3)
    expect(a.full.map((p) => [p.topic, p.readers, p.reasons])).toEqual([['unsupported', ['a', 'b', 'c'], ['same label']]])
    expect(a.partial.map((p) => [p.topic, p.readers, p.reasons])).toEqual([['typo', ['a', 'c'], ['same label']]])
    expect(a.differ.map((p) => [p.topic, p.readers])).toEqual([['tone', ['c']]])
    expect(agreementKinds(a)).toEqual(['full', 'partial', 'differ'])
  })

  it('counts synonyms from the vocabulary as agreement, and says so', () => {
    const a = agreementOf([reading('a', ['vague', 'Which experts?']), reading('b', ['Unclear', 'Says nothing concrete.'])])
    expect(a.full).toHaveLength(1)
    expect(a.full[0]).toMatchObject({ topic: 'vague', labels: ['Unclear', 'vague'], readers: ['a', 'b'], reasons: ['synonyms: Unclear ≈ vague'] })
    // A workspace vocabulary replaces the default one.
    const own = synonymIndex({ synonyms: [['hand-wavy', 'vague']] })
    const b = agreementOf([reading('a', ['vague', 'x1']), reading('b', ['hand wavy', 'x2']), reading('c', ['unclear', 'x3'])], own)
    expect(b.partial.map((p) => [p.topic, p.readers, p.reasons])).toEqual([['hand wavy', ['a', 'b'], ['synonyms: hand wavy ≈ vague']]])
    expect(b.differ.map((p) => p.topic)).toEqual(['unclear'])
  })

  it('groups readings by similar comments (stemmed word overlap) when labels differ or are missing', () => {
    const a = agreementOf([
      reading('a', [null, 'Which experts agree? Name the experts.']),
      reading('b', ['sourcing', 'Name which experts agreed.']),
      reading('c', [null, 'The tone is fine.']),
    ])
    const words = (s: string) => commentWords(s)
    const score = jaccard(words('Which experts agree? Name the experts.'), words('Name which experts agreed.'))
    expect(score).toBe(1) // both are {expert, agre, nam}: "agree" and "agreed" share a stem
    expect(a.partial).toHaveLength(1)
    expect(a.partial[0]).toMatchObject({ readers: ['a', 'b'], reasons: [`similar comments (${score.toFixed(2)})`] })
    expect(a.differ.map((p) => p.readers)).toEqual([['c']])
  })

  it('does not join comments below the threshold', () => {
    const a = agreementOf([reading('a', [null, 'Revenue figure has no source given here']), reading('b', [null, 'Revenue growth seems plausible enough'])])
    expect(a.full).toEqual([])
    expect(a.differ).toHaveLength(2)
  })

  it('is deterministic whatever the order of readings and annotations', () => {
    const readings = [reading('b', ['vague', 'Which ones?'], ['typo', 'x']), reading('a', ['unclear', 'Which ones exactly?']), reading('c', ['tone', 'Harsh.'])]
    const one = agreementOf(readings)
    const reversed = agreementOf([...readings].reverse().map((r) => ({ ...r, annotations: [...r.annotations].reverse() })))
    expect(reversed).toEqual(one)
  })
})

describe('vocabulary', () => {
  it('the default is valid; a label in two groups, a group of one, or an oversized one is refused with a reason', () => {
    expect(vocabularyError(DEFAULT_VOCABULARY)).toBeNull()
    expect(
      vocabularyError({
        synonyms: [
          ['vague', 'unclear'],
          ['Unclear', 'murky'],
        ],
      }),
    ).toMatch(/in synonym groups 1 and 2/)
    expect(vocabularyError({ synonyms: [['alone']] })).toMatch(/2 to 20 labels/)
    expect(vocabularyError({ synonyms: [['a'.repeat(41), 'b']] })).toMatch(/longer than 40/)
    expect(vocabularyError({ synonyms: Array.from({ length: 101 }, (_, i) => [`x${i}`, `y${i}`]) })).toMatch(/at most 100/)
  })
})
