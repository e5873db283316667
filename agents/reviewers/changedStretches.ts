// What changed between the text an agent last reviewed and the text now, as whole paragraphs of
// the current text: an incremental review re-reads only these. A paragraph counts as unchanged
// when the same paragraph (same words, same spacing) was in the reviewed text, wherever it was:
// moving a paragraph does not ask for a new reading, editing one character of it does.
// Linear in the two texts (one map of paragraph hashes); no diff, so no worst case to bound.

import { fnv1a64 } from '../../shared/annotations.ts'
import { paragraphs, type Segment } from './segment.ts'

/** What is remembered of a reviewed text: a hash per paragraph (about 16 bytes each, whatever the text). */
export function paragraphHashes(text: string): string[] {
  return paragraphs(text).map((p) => fnv1a64(p.text))
}

/** Paragraphs of `now` whose hash is not among `reviewed` (counted: a duplicated paragraph is new the second time). */
export function changedSince(reviewed: readonly string[], now: string): Segment[] {
  const before = new Map<string, number>()
  for (const h of reviewed) before.set(h, (before.get(h) ?? 0) + 1)
  const changed: Segment[] = []
  for (const p of paragraphs(now)) {
    const h = fnv1a64(p.text)
    const left = before.get(h) ?? 0
    if (left > 0) before.set(h, left - 1)
    else changed.push(p)
  }
  return changed
}

/** Paragraphs of `now` that were not in `reviewed`, in order, with their offsets in `now`. */
export function changedStretches(reviewed: string, now: string): Segment[] {
  return changedSince(paragraphHashes(reviewed), now)
}

/** The whole text as one stretch (a first review), or nothing when it is blank. */
export function wholeText(text: string): Segment[] {
  return text.trim() === '' ? [] : [{ start: 0, end: text.length, text }]
}

/** Where ReviewedTexts keeps what it read beyond the process (the agent's local store), if anywhere. */
export interface ReviewedStore {
  get(key: string): string | undefined
  set(key: string, value: string): void
}

/**
 * What each document looked like when it was last reviewed (its paragraph hashes), so the next
 * review reads only what changed. In memory, and in `store` when given (an agent with a local
 * store then reads only what changed across restarts too). Without a store a restarted agent reads
 * everything once more; an annotation's id is a hash of what it says about which words, so the
 * unchanged readings it writes again are no-ops.
 */
export class ReviewedTexts {
  readonly #hashes = new Map<string, string[]>()
  readonly #store: ReviewedStore | undefined

  constructor(store?: ReviewedStore) {
    this.#store = store
  }

  /** What to read of `now`: everything the first time, then the changed paragraphs (maybe none). */
  toRead(doc: string, now: string): { stretches: Segment[]; incremental: boolean } {
    const before = this.#hashes.get(doc) ?? this.#stored(doc)
    return before === undefined ? { stretches: wholeText(now), incremental: false } : { stretches: changedSince(before, now), incremental: true }
  }

  /** Records that `text` of `doc` has been reviewed. */
  reviewed(doc: string, text: string): void {
    const hashes = paragraphHashes(text)
    this.#hashes.set(doc, hashes)
    this.#store?.set(storeKey(doc), JSON.stringify(hashes))
  }

  #stored(doc: string): string[] | undefined {
    const raw = this.#store?.get(storeKey(doc))
    if (raw === undefined) return undefined
    try {
      const value: unknown = JSON.parse(raw)
      // Anything else (an older format, a damaged row) means: read everything again.
      return Array.isArray(value) && value.every((h) => typeof h === 'string') ? (value as string[]) : undefined
    } catch {
      return undefined
    }
  }
}

const storeKey = (doc: string): string => `reviewed:${doc}`
