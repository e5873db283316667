// What changed between the text an agent last reviewed and the text now, as whole paragraphs of
// the current text: an incremental review re-reads only these. A paragraph counts as unchanged
// when the same paragraph (same words, same spacing) was in the reviewed text, wherever it was:
// moving a paragraph does not ask for a new reading, editing one character of it does.
// Linear in the two texts (one map of paragraph texts); no diff, so no worst case to bound.

import { paragraphs, type Segment } from './segment.ts'

/** Paragraphs of `now` that were not in `reviewed`, in order, with their offsets in `now`. */
export function changedStretches(reviewed: string, now: string): Segment[] {
  const before = new Map<string, number>()
  for (const p of paragraphs(reviewed)) before.set(p.text, (before.get(p.text) ?? 0) + 1)
  const changed: Segment[] = []
  for (const p of paragraphs(now)) {
    // Counted: a paragraph duplicated by the edit is new the second time.
    const left = before.get(p.text) ?? 0
    if (left > 0) before.set(p.text, left - 1)
    else changed.push(p)
  }
  return changed
}

/** The whole text as one stretch (a first review), or nothing when it is blank. */
export function wholeText(text: string): Segment[] {
  return text.trim() === '' ? [] : [{ start: 0, end: text.length, text }]
}

/**
 * The text of each document as it was last reviewed, so the next review reads only what changed.
 * Kept in memory: a restarted agent reads everything once more, and since an annotation's id is
 * a hash of what it says about which words, the unchanged readings it writes again are no-ops.
 */
export class ReviewedTexts {
  readonly #texts = new Map<string, string>()

  /** What to read of `now`: everything the first time, then the changed paragraphs (maybe none). */
  toRead(doc: string, now: string): { stretches: Segment[]; incremental: boolean } {
    const before = this.#texts.get(doc)
    return before === undefined ? { stretches: wholeText(now), incremental: false } : { stretches: changedStretches(before, now), incremental: true }
  }

  /** Records that `text` of `doc` has been reviewed. */
  reviewed(doc: string, text: string): void {
    this.#texts.set(doc, text)
  }
}
