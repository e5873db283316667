import { describe, expect, it } from 'vitest'
import { OFFLINE_REVIEWERS, sentences, type Finding } from '../agents/reviewers/index.ts'

const SAMPLE =
  'Studies show that collaborative editing is always better than email. ' +
  'The new workflow was adopted by the team in order to basically leverage synergies across groups, and it significantly reduces the the time spent on merges, ' +
  'which many experts believe is the most important problem in documentation work today, although the migration was not finished before the deadline and several documents were lost. ' +
  'Our tool is the fastest on the market and cut review time by 40%. ' +
  'A later survey (Smith, 2021) measured a 12% drop in merge conflicts.'

const key = (f: Finding): string => `${f.start}:${f.end}:${f.label}`

describe('offline reviewers', () => {
  it('are labelled as built-in heuristics with their own lens', () => {
    expect(Object.keys(OFFLINE_REVIEWERS).sort()).toEqual(['claims', 'clarity'])
    for (const [id, r] of Object.entries(OFFLINE_REVIEWERS)) {
      expect(r.id).toBe(id)
      expect(r.name).toMatch(/\(built-in heuristic\)$/)
      expect(r.lens.length).toBeGreaterThan(10)
    }
  })

  it('both find things in the sample, and they read it differently', () => {
    const clarity = OFFLINE_REVIEWERS.clarity.review(SAMPLE)
    const claims = OFFLINE_REVIEWERS.claims.review(SAMPLE)
    expect(clarity.length).toBeGreaterThan(3)
    expect(claims.length).toBeGreaterThan(3)
    const clarityLabels = new Set(clarity.map((f) => f.label))
    const claimsLabels = new Set(claims.map((f) => f.label))
    expect([...clarityLabels].filter((l) => claimsLabels.has(l))).toEqual([])
    const claimKeys = new Set(claims.map((f) => `${f.start}:${f.end}`))
    expect(clarity.filter((f) => !claimKeys.has(`${f.start}:${f.end}`)).length).toBeGreaterThan(0)
    expect(clarityLabels).toEqual(new Set(['long-sentence', 'passive-voice', 'filler', 'jargon', 'doubled-word']))
    expect(claimsLabels).toEqual(new Set(['weasel-words', 'absolute', 'vague-magnitude', 'superlative', 'unsourced-number', 'uncited-claim']))
  })

  it('points at the words it talks about', () => {
    const at = (fs: Finding[], label: string): string[] => fs.filter((f) => f.label === label).map((f) => SAMPLE.slice(f.start, f.end))
    const clarity = OFFLINE_REVIEWERS.clarity.review(SAMPLE)
    const claims = OFFLINE_REVIEWERS.claims.review(SAMPLE)
    expect(at(clarity, 'doubled-word')).toEqual(['the the'])
    expect(at(clarity, 'passive-voice')).toEqual(['was adopted by', 'were lost'])
    expect(at(clarity, 'jargon')).toEqual(['leverage', 'synergies'])
    expect(at(clarity, 'long-sentence')).toHaveLength(1)
    expect(at(clarity, 'long-sentence')[0]).toMatch(/^The new workflow.*lost\.$/)
    expect(at(claims, 'weasel-words')).toEqual(['Studies show', 'many experts'])
    expect(at(claims, 'absolute')).toEqual(['always'])
    expect(at(claims, 'superlative')).toEqual(['most important', 'fastest'])
    // The 12% is cited, the 40% is not.
    expect(at(claims, 'unsourced-number')).toEqual(['40%'])
    expect(at(claims, 'uncited-claim').some((s) => s.startsWith('A later survey'))).toBe(false)
  })

  it('every finding is a non-empty span inside the text, with a comment', () => {
    for (const r of Object.values(OFFLINE_REVIEWERS)) {
      for (const f of r.review(SAMPLE)) {
        expect(f.start).toBeGreaterThanOrEqual(0)
        expect(f.end).toBeLessThanOrEqual(SAMPLE.length)
        expect(f.end).toBeGreaterThan(f.start)
        expect(SAMPLE.slice(f.start, f.end).trim()).toBe(SAMPLE.slice(f.start, f.end))
        expect(['info', 'warning', 'error']).toContain(f.severity)
        expect(f.comment.length).toBeGreaterThan(10)
      }
    }
  })

  it('is stable: same text, same findings in the same order', () => {
    for (const r of Object.values(OFFLINE_REVIEWERS)) {
      const a = r.review(SAMPLE)
      const b = r.review(SAMPLE)
      expect(b).toEqual(a)
      const sorted = [...a].sort((x, y) => x.start - y.start || x.end - y.end || (x.label < y.label ? -1 : 1))
      expect(a.map(key)).toEqual(sorted.map(key))
    }
  })

  it('finds nothing in plain, modest text and handles empty input', () => {
    const plain = 'We tried two editors. The second one suited our team. We will keep using it.'
    expect(OFFLINE_REVIEWERS.clarity.review(plain)).toEqual([])
    expect(OFFLINE_REVIEWERS.claims.review(plain)).toEqual([])
    expect(OFFLINE_REVIEWERS.clarity.review('')).toEqual([])
    expect(OFFLINE_REVIEWERS.claims.review('   \n\n ')).toEqual([])
  })

  it('splits sentences and paragraphs with offsets, keeping abbreviations together', () => {
    const text = 'First one, e.g. this. Second?\n\n  Third para! Last'
    expect(sentences(text).map((s) => s.text)).toEqual(['First one, e.g. this.', 'Second?', 'Third para!', 'Last'])
    for (const s of sentences(text)) expect(text.slice(s.start, s.end)).toBe(s.text)
  })

  it('flags long paragraphs and nearby repetition', () => {
    const para = Array.from({ length: 20 }, (_, i) => `Sentence number ${i} has a few plain words.`).join(' ')
    const fs = OFFLINE_REVIEWERS.clarity.review(para)
    expect(fs.find((f) => f.label === 'long-paragraph')).toMatchObject({ start: 0, end: para.length })
    const rep = OFFLINE_REVIEWERS.clarity.review('The parser reads input, then the parser writes output.')
    const second = 'The parser reads input, then the parser writes output.'.lastIndexOf('parser')
    expect(rep.filter((f) => f.label === 'repeated-word').map((f) => f.start)).toEqual([second])
  })
})
