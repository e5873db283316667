// Splitting text into paragraphs, sentences and words with their offsets in the original text.

export interface Segment {
  start: number
  end: number
  text: string
}

/** Paragraphs are separated by blank lines; offsets exclude surrounding whitespace. */
export function paragraphs(text: string): Segment[] {
  const out: Segment[] = []
  const re = /\S[\s\S]*?(?=\n[ \t]*\n|\s*$)/g
  for (const m of text.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length, text: m[0] })
  return out
}

// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS = /(?:\b(?:e\.g|i\.e|etc|vs|cf|al|Dr|Mr|Mrs|Ms|Prof|Fig|No|approx)\.)$/i

/** Sentences end at . ! ? (plus closing quotes/brackets) followed by whitespace, or at a paragraph end. */
export function sentences(text: string): Segment[] {
  const out: Segment[] = []
  for (const p of paragraphs(text)) {
    let from = 0
    const re = /[.!?]+["')\]]*(?=\s)/g
    for (const m of p.text.matchAll(re)) {
      const end = m.index + m[0].length
      if (ABBREVIATIONS.test(p.text.slice(0, end))) continue
      push(out, p, from, end)
      from = end
    }
    push(out, p, from, p.text.length)
  }
  return out
}

function push(out: Segment[], p: Segment, from: number, to: number): void {
  const raw = p.text.slice(from, to)
  const lead = raw.length - raw.trimStart().length
  const body = raw.trim()
  if (body.length > 0) out.push({ start: p.start + from + lead, end: p.start + from + lead + body.length, text: body })
}

/** Words (letters, digits, inner apostrophes and hyphens) with offsets relative to `base`. */
export function words(text: string, base = 0): Segment[] {
  const out: Segment[] = []
  for (const m of text.matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)) {
    out.push({ start: base + m.index, end: base + m.index + m[0].length, text: m[0] })
  }
  return out
}

/** Every match of `re` (must be global) in `text`, with offsets. */
export function matches(text: string, re: RegExp): Segment[] {
  return [...text.matchAll(re)].map((m) => ({ start: m.index, end: m.index + m[0].length, text: m[0] }))
}

/** Same findings in the same order for the same text: by start, then end, then label. */
export function byPosition<T extends { start: number; end: number; label: string }>(a: T, b: T): number {
  return a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)
}
