// "Claims (built-in heuristic)": reads for what the text asserts and whether it backs it up.
import { byPosition, matches, sentences } from './segment.ts'
import type { Finding, OfflineReviewer } from './types.ts'

const WEASEL =
  /\b(?:(?:many|most|some|several) (?:experts|people|researchers|scientists|users|studies)|experts (?:agree|say|believe)|studies (?:show|have shown|suggest|prove)|research (?:shows|has shown|suggests|proves)|it is (?:widely |generally |commonly )?(?:believed|known|accepted|said|thought)|(?:everyone|everybody) knows|some say|critics say)\b/gi
const ABSOLUTE =
  /\b(?:always|never|everyone|everybody|nobody|no one|undeniabl[ey]|clearly|obviously|certainly|unquestionabl[ey]|without (?:a )?doubt|guarantee[sd]?|prove[sn]?|definitely)\b/gi
const MAGNITUDE = /\b(?:significantly|dramatically|drastically|vastly|substantially|massively|hugely|enormous(?:ly)?|huge|a lot|tremendous(?:ly)?)\b/gi
const SUPERLATIVE =
  /\b(?:best|worst|fastest|slowest|largest|biggest|greatest|smallest|cheapest|safest|leading|unprecedented|revolutionary|world-class|first-ever|unmatched|unrivalled|most (?:important|effective|efficient|advanced|popular|powerful|accurate|reliable|successful))\b/gi
const NUMBER = /(?:\b\d+(?:[.,]\d+)?\s?(?:%|percent\b|per cent\b|(?:times|x)\b|(?:thousand|million|billion|trillion)\b)|\b\d+(?:\.\d+)?-fold\b)/gi
const CLAIM_VERB =
  /\b(?:shows?|proves?|demonstrates?|causes?|leads? to|results? in|increases?|reduces?|improves?|doubles?|halves|outperforms?|eliminates?|prevents?|guarantees?)\b/i
const CITATION = /\[\d+(?:\s*[,–-]\s*\d+)*\]|\([A-Z][\p{L}-]+(?: et al\.| and [A-Z][\p{L}-]+)?,? \d{4}[a-z]?\)|\(\d{4}\)|https?:\/\/|\bdoi:|\baccording to\b|\bet al\.|\bsource:/iu

export function reviewClaims(text: string): Finding[] {
  const out: Finding[] = []
  for (const m of matches(text, WEASEL)) {
    out.push({ ...span(m), label: 'weasel-words', severity: 'warning', comment: `“${m.text}” leans on unnamed authorities. Who, exactly? Name or cite them.` })
  }
  for (const m of matches(text, ABSOLUTE)) {
    out.push({ ...span(m), label: 'absolute', severity: 'warning', comment: `“${m.text}” admits no exceptions; is that really supported? Qualify it or show the evidence.` })
  }
  for (const m of matches(text, MAGNITUDE)) {
    out.push({ ...span(m), label: 'vague-magnitude', severity: 'info', comment: `“${m.text}”: by how much? Give the figure (and, for “significantly”, the test).` })
  }
  for (const m of matches(text, SUPERLATIVE)) {
    out.push({ ...span(m), label: 'superlative', severity: 'warning', comment: `“${m.text}” is a comparison with everything else; compared with what, measured how?` })
  }
  for (const s of sentences(text)) {
    if (CITATION.test(s.text)) continue
    for (const m of matches(s.text, NUMBER)) {
      out.push({
        start: s.start + m.start,
        end: s.start + m.end,
        label: 'unsourced-number',
        severity: 'warning',
        comment: `Where does “${m.text}” come from? Add the source or the method.`,
      })
    }
    if (CLAIM_VERB.test(s.text) || WEASEL_TEST.test(s.text)) {
      out.push({ ...span(s), label: 'uncited-claim', severity: 'info', comment: 'This sentence makes a claim without a citation or source.' })
    }
  }
  return out.sort(byPosition)
}

// A non-global twin of WEASEL for `test`, which would otherwise carry lastIndex between calls.
const WEASEL_TEST = new RegExp(WEASEL.source, 'i')

const span = (s: { start: number; end: number }): { start: number; end: number } => ({ start: s.start, end: s.end })

export const claimsReviewer: OfflineReviewer = {
  id: 'claims',
  name: 'Claims (built-in heuristic)',
  lens: 'Evidence: weasel words, absolutes, vague magnitudes, superlatives, unsourced numbers and uncited claims.',
  review: reviewClaims,
}
