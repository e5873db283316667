// "Clarity (built-in heuristic)": reads for how easy the text is to follow, not whether it is true.
import { byPosition, matches, paragraphs, sentences, words } from './segment.ts'
import type { Finding, OfflineReviewer } from './types.ts'

const LONG_SENTENCE_WORDS = 30
const LONG_PARAGRAPH_WORDS = 150
const REPEAT_WINDOW = 12
const REPEAT_MIN_LENGTH = 6

// "is/was/been ... <participle>": regular -ed forms plus common irregular participles.
const IRREGULAR =
  'known|shown|given|taken|made|done|seen|found|built|written|held|kept|led|left|lost|paid|said|sent|set|told|thought|brought|bought|caught|chosen|driven|drawn|grown|hidden|broken|spoken|stolen|understood|undertaken|overlooked'
const PASSIVE = new RegExp(`\\b(?:am|is|are|was|were|be|been|being)\\s+(?:\\w+ly\\s+)?(?:\\w{3,}ed|${IRREGULAR})\\b(?:\\s+by\\b)?`, 'gi')

const FILLERS =
  /\b(?:very|really|basically|actually|quite|rather|somewhat|just|in order to|due to the fact that|it is important to note that|it should be noted that|needless to say|at the end of the day|in terms of|a number of)\b/gi
const JARGON =
  /\b(?:leverag(?:e|es|ed|ing)|utiliz(?:e|es|ed|ing|ation)|synerg(?:y|ies|istic)|paradigm(?: shift)?|holistic|best-of-breed|value-add(?:ed)?|actionable|circle back|move the needle|low-hanging fruit|bandwidth|deep dive|going forward|operationaliz(?:e|ed|ing))\b/gi

const STOP = new Set(['because', 'should', 'through', 'between', 'before', 'during', 'without', 'within', 'another', 'whether', 'however', 'therefore'])

export function reviewClarity(text: string): Finding[] {
  const out: Finding[] = []
  for (const s of sentences(text)) {
    const n = words(s.text).length
    if (n > LONG_SENTENCE_WORDS) {
      out.push({
        ...span(s),
        label: 'long-sentence',
        severity: 'warning',
        comment: `This sentence has ${n} words; readers lose the thread past about ${LONG_SENTENCE_WORDS}. Consider splitting it.`,
      })
    }
    out.push(...repeats(s.text, s.start))
  }
  for (const p of paragraphs(text)) {
    const n = words(p.text).length
    if (n > LONG_PARAGRAPH_WORDS) {
      out.push({ ...span(p), label: 'long-paragraph', severity: 'info', comment: `This paragraph runs ${n} words. Break it where the topic shifts.` })
    }
  }
  for (const m of matches(text, PASSIVE)) {
    out.push({ ...span(m), label: 'passive-voice', severity: 'info', comment: `“${m.text}” is passive: say who does what, if the actor matters.` })
  }
  for (const m of matches(text, FILLERS)) {
    out.push({ ...span(m), label: 'filler', severity: 'info', comment: `“${m.text}” adds little; try the sentence without it.` })
  }
  for (const m of matches(text, JARGON)) {
    out.push({ ...span(m), label: 'jargon', severity: 'info', comment: `“${m.text}” is jargon; a plainer word says it more clearly.` })
  }
  return out.sort(byPosition)
}

/** Doubled words ("the the") and the same long word again within a few words. */
function repeats(sentence: string, base: number): Finding[] {
  const out: Finding[] = []
  const ws = words(sentence, base)
  for (let i = 1; i < ws.length; i++) {
    const w = ws[i].text.toLowerCase()
    if (w === ws[i - 1].text.toLowerCase() && !/^\d+$/.test(w)) {
      out.push({ start: ws[i - 1].start, end: ws[i].end, label: 'doubled-word', severity: 'warning', comment: `“${ws[i].text}” appears twice in a row.` })
      continue
    }
    if (w.length < REPEAT_MIN_LENGTH || STOP.has(w)) continue
    for (let j = Math.max(0, i - REPEAT_WINDOW); j < i - 1; j++) {
      if (ws[j].text.toLowerCase() === w) {
        out.push({ ...span(ws[i]), label: 'repeated-word', severity: 'info', comment: `“${ws[i].text}” was used just before; vary the word or merge the phrases.` })
        break
      }
    }
  }
  return out
}

const span = (s: { start: number; end: number }): { start: number; end: number } => ({ start: s.start, end: s.end })

export const clarityReviewer: OfflineReviewer = {
  id: 'clarity',
  name: 'Clarity (built-in heuristic)',
  lens: 'Readability: long sentences and paragraphs, passive voice, repetition, filler and jargon.',
  review: reviewClarity,
}
