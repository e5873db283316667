// What the readers of one stretch agree and differ on. Pure and deterministic; the server's
// review API and the browser's Readings tab both call agreementOf (through groupDivergences).
//
// Method:
// 1. Labels are normalised: lower case, punctuation and `-`/`_` become spaces, whitespace
//    collapsed, a simple plural folded ("claims" → "claim", "studies" → "study").
// 2. The workspace vocabulary (synonym groups; DEFAULT_VOCABULARY unless owners set one) maps a
//    normalised label to its group's first entry, the canonical label.
// 3. Two annotations make the same point when they have the same normalised label ("same
//    label"), labels that are synonyms ("synonyms: vague ≈ unclear"), or comments whose content
//    words overlap: Jaccard similarity of the sets of stemmed words (stop words dropped, words
//    stemmed by stripping -ing/-ed/-es/-s/-ly, or else a final -e) at least COMMENT_SIMILARITY ("similar comments
//    (0.62)"). Points are the connected groups of that relation.
// 4. With one reader there is neither agreement nor difference: just one reading. With several,
//    a point every reader made is full agreement, one some (two or more) made is partial
//    agreement (naming who), and one only a single reader made is a difference.

/** Owner-editable synonym groups: each group's labels mean the same; the first names the group. */
export interface Vocabulary {
  synonyms: string[][]
}

export const DEFAULT_VOCABULARY: Vocabulary = {
  synonyms: [
    ['vague', 'unclear', 'ambiguous', 'imprecise', 'clarity'],
    ['unsupported', 'unsourced', 'needs source', 'citation needed', 'no source', 'needs evidence'],
    ['overclaim', 'exaggeration', 'hyperbole', 'absolute', 'overstated'],
    ['weasel', 'weasel words', 'hedge'],
    ['factual error', 'incorrect', 'wrong', 'inaccurate', 'error'],
    ['style', 'wording', 'phrasing'],
  ],
}

/** Bounds on a vocabulary (it is read for every stretch on every recomputation). */
export const VOCABULARY_LIMITS = { groups: 100, perGroup: 20, labelChars: 40 } as const

/** Comments at least this similar (Jaccard of stemmed content words) make the same point. */
export const COMMENT_SIMILARITY = 0.5

export interface AgreementInput {
  principal: string
  annotations: Array<{ id: string; label: string | null; comment: string }>
}

export interface AgreementPoint {
  /** What the point is about: the canonical label, or the opening words of the first comment. */
  topic: string
  /** The labels as the readers wrote them (sorted, distinct). */
  labels: string[]
  /** Who made this point (sorted). */
  readers: string[]
  /** Why these annotations count as one point ("same label", "synonyms: vague ≈ unclear", "similar comments (0.62)"). */
  reasons: string[]
  /** The annotations that make it. */
  annotations: string[]
}

export type AgreementKind = 'one-reading' | 'full' | 'partial' | 'differ'

export interface Agreement {
  /** How many principals read this stretch. */
  readers: number
  /** Points every reader made (empty with one reader). */
  full: AgreementPoint[]
  /** Points two or more, but not all, readers made. */
  partial: AgreementPoint[]
  /** Points only one reader made (empty with one reader: one reading is not a difference). */
  differ: AgreementPoint[]
  /** Every point of a single reader's reading (empty with several readers). */
  single: AgreementPoint[]
}

/** Lower case, punctuation to spaces, whitespace collapsed, simple plural folded per word. */
export function normaliseLabel(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .map(singular)
    .join(' ')
}

function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return word.slice(0, -3) + 'y'
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1)
  return word
}

/** normalised label → canonical label of its synonym group. */
export type SynonymIndex = Map<string, string>

export function synonymIndex(vocabulary: Vocabulary): SynonymIndex {
  const index: SynonymIndex = new Map()
  for (const group of vocabulary.synonyms) {
    const canonical = normaliseLabel(group[0] ?? '')
    if (!canonical) continue
    for (const label of group) {
      const n = normaliseLabel(label)
      if (n && !index.has(n)) index.set(n, canonical)
    }
  }
  return index
}

/** Why a vocabulary cannot be used, phrased as how to fix it; null when it is fine. */
export function vocabularyError(vocabulary: Vocabulary): string | null {
  const { groups, perGroup, labelChars } = VOCABULARY_LIMITS
  if (vocabulary.synonyms.length > groups) return `at most ${groups} synonym groups (got ${vocabulary.synonyms.length})`
  const seen = new Map<string, number>()
  for (const [i, group] of vocabulary.synonyms.entries()) {
    if (group.length < 2 || group.length > perGroup) return `synonym group ${i + 1} must hold 2 to ${perGroup} labels (got ${group.length})`
    for (const label of group) {
      if (label.length > labelChars) return `label "${label.slice(0, 20)}…" is longer than ${labelChars} characters`
      const n = normaliseLabel(label)
      if (!n) return `synonym group ${i + 1} has a label without letters or digits ("${label}")`
      const other = seen.get(n)
      if (other !== undefined && other !== i) return `"${label}" is in synonym groups ${other + 1} and ${i + 1}: a label may belong to one group only`
      seen.set(n, i)
    }
  }
  return null
}

const STOP_WORDS = new Set(
  'a an and are as at be but by do does for from has have how i if in is it its me my no not of on or our so than that the their them then there these they this to too was we were what when where which who why will with you your'.split(
    ' ',
  ),
)

/** Stemmed content words of a comment, as a set. */
export function commentWords(comment: string): Set<string> {
  const out = new Set<string>()
  for (const w of comment.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (STOP_WORDS.has(w)) continue
    out.add(stem(w))
  }
  return out
}

/** A deliberately small stemmer: one of -ing/-ed/-es/-ly/-s, or else a final -e ("agreed", "agree" → "agre"). */
function stem(word: string): string {
  for (const suffix of ['ing', 'ed', 'es', 'ly', 's']) {
    if (word.length - suffix.length >= 3 && word.endsWith(suffix)) return word.slice(0, -suffix.length)
  }
  return word.length > 3 && word.endsWith('e') ? word.slice(0, -1) : word
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0
  let shared = 0
  for (const w of a) if (b.has(w)) shared++
  return shared / (a.size + b.size - shared)
}

const round2 = (x: number): number => Math.round(x * 100) / 100

interface Node {
  principal: string
  id: string
  label: string | null
  normal: string | null
  canonical: string | null
  words: Set<string>
  comment: string
}

/** Above this many annotations on one stretch, comments are not compared pairwise (labels still are). */
export const MAX_COMPARED_COMMENTS = 300

/**
 * The points the readers of one stretch make and how far they share them. Annotations of the
 * same reader may also join (a reader saying one thing twice); a point counts each reader once.
 */
export function agreementOf(readings: AgreementInput[], synonyms: SynonymIndex = synonymIndex(DEFAULT_VOCABULARY)): Agreement {
  const nodes: Node[] = []
  for (const r of [...readings].sort((a, b) => a.principal.localeCompare(b.principal))) {
    for (const a of [...r.annotations].sort((x, y) => x.id.localeCompare(y.id))) {
      const normal = a.label === null ? null : normaliseLabel(a.label) || null
      nodes.push({
        principal: r.principal,
        id: a.id,
        label: a.label,
        normal,
        canonical: normal === null ? null : (synonyms.get(normal) ?? normal),
        words: commentWords(a.comment),
        comment: a.comment,
      })
    }
  }
  // Union-find over "same point". Labels join through buckets (linear); comments pairwise, for
  // stretches of at most MAX_COMPARED_COMMENTS annotations.
  const parent = nodes.map((_, i) => i)
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])))
  const reasons = new Map<number, Set<string>>()
  const join = (i: number, j: number, why: string) => {
    const [ri, rj] = [find(i), find(j)]
    const root = Math.min(ri, rj)
    const merged = new Set([...(reasons.get(ri) ?? []), ...(reasons.get(rj) ?? [])])
    // A reader repeating themself is not a reason anyone agrees.
    if (nodes[i].principal !== nodes[j].principal) merged.add(why)
    parent[Math.max(ri, rj)] = root
    reasons.set(root, merged)
  }
  const firstWith = new Map<string, number>()
  nodes.forEach((n, i) => {
    if (n.normal === null) return
    const same = firstWith.get(`n:${n.normal}`)
    if (same === undefined) firstWith.set(`n:${n.normal}`, i)
    else join(same, i, 'same label')
    const synonym = firstWith.get(`c:${n.canonical}`)
    if (synonym === undefined) firstWith.set(`c:${n.canonical}`, i)
    else if (nodes[synonym].normal !== n.normal) {
      const [x, y] = [nodes[synonym].label!, n.label!].sort()
      join(synonym, i, `synonyms: ${x} ≈ ${y}`)
    }
  })
  if (nodes.length <= MAX_COMPARED_COMMENTS) {
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        if (find(i) === find(j) && nodes[i].principal === nodes[j].principal) continue
        const s = jaccard(nodes[i].words, nodes[j].words)
        if (s >= COMMENT_SIMILARITY) join(i, j, `similar comments (${round2(s).toFixed(2)})`)
      }
    }
  }
  const clusters = new Map<number, number[]>()
  nodes.forEach((_, i) => clusters.set(find(i), [...(clusters.get(find(i)) ?? []), i]))
  const points: AgreementPoint[] = [...clusters.entries()].map(([root, members]) => {
    const ns = members.map((i) => nodes[i])
    const canonical = ns.find((n) => n.canonical !== null)?.canonical
    return {
      topic: canonical ?? excerpt(ns[0].comment),
      labels: [...new Set(ns.flatMap((n) => (n.label === null ? [] : [n.label])))].sort(),
      readers: [...new Set(ns.map((n) => n.principal))].sort(),
      reasons: [...(reasons.get(root) ?? [])].sort(),
      annotations: ns.map((n) => n.id),
    }
  })
  points.sort((a, b) => b.readers.length - a.readers.length || a.topic.localeCompare(b.topic) || a.annotations[0].localeCompare(b.annotations[0]))
  const total = new Set(readings.filter((r) => r.annotations.length > 0).map((r) => r.principal)).size
  if (total <= 1) return { readers: total, full: [], partial: [], differ: [], single: points }
  return {
    readers: total,
    full: points.filter((p) => p.readers.length === total),
    partial: points.filter((p) => p.readers.length > 1 && p.readers.length < total),
    differ: points.filter((p) => p.readers.length === 1),
    single: [],
  }
}

/** The kinds a stretch shows (for filters and counts): one reading, or any of full/partial/differ it holds. */
export function agreementKinds(a: Agreement): AgreementKind[] {
  if (a.readers <= 1) return ['one-reading']
  const kinds: AgreementKind[] = []
  if (a.full.length > 0) kinds.push('full')
  if (a.partial.length > 0) kinds.push('partial')
  if (a.differ.length > 0) kinds.push('differ')
  return kinds
}

function excerpt(comment: string): string {
  const t = comment.trim().replace(/\s+/g, ' ')
  return t.length > 40 ? t.slice(0, 39) + '…' : t
}
