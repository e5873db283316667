// Making anchors on a shared Y.Text.
import * as Y from 'yjs'
import * as buffer from 'lib0/buffer'
import { matchQuote } from './match.ts'
import { ANCHOR_LIMITS, quoteLimitError } from './limits.ts'
import type { Anchor, RelativePositionJSON } from './types.ts'

export const DEFAULT_CONTEXT_CHARS = 32

/**
 * Anchors the span [start, end) of `ytext`, which must be part of a Y.Doc.
 * The start position sticks to the first quoted character and the end position to the last,
 * so text typed right before or right after the span never widens it.
 */
export function createAnchor(ytext: Y.Text, start: number, end: number, contextChars = DEFAULT_CONTEXT_CHARS): Anchor {
  const doc = docOf(ytext)
  const text = ytext.toString()
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > text.length || start >= end) {
    throw new RangeError(`invalid span [${start}, ${end}) for text of length ${text.length}`)
  }
  if (end - start > ANCHOR_LIMITS.quote) {
    throw new RangeError(`the span is ${end - start} characters; annotate at most ${ANCHOR_LIMITS.quote} (select a shorter passage)`)
  }
  const context = Math.min(contextChars, ANCHOR_LIMITS.context)
  const snapshot = buffer.toBase64(Y.encodeSnapshotV2(Y.snapshot(doc)))
  return {
    start: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(ytext, start, 0)) as RelativePositionJSON,
    end: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(ytext, end, -1)) as RelativePositionJSON,
    quote: {
      exact: text.slice(start, end),
      prefix: text.slice(Math.max(0, start - context), start),
      suffix: text.slice(end, end + context),
    },
    position: { start, end },
    stateVector: buffer.toBase64(Y.encodeStateVector(doc)),
    // The text as it was read, for "show the text as read" (bounded: a huge delete set records none).
    ...(snapshot.length <= ANCHOR_LIMITS.snapshot ? { snapshot } : {}),
  }
}

export interface QuoteHint {
  /** Text expected right before the quote. */
  prefix?: string
  /** Text expected right after the quote. */
  suffix?: string
  /** Expected start offset; the first occurrence wins when omitted. */
  near?: number
}

/**
 * Anchors the first good match of `exact` (for agents that only know the words they mean).
 * An exact occurrence wins over an approximate one; among exact occurrences the one whose
 * context fits the hint best, then the one nearest `hint.near`. Returns null when nothing matches.
 * Throws a RangeError when the quote or the hint's context is beyond ANCHOR_LIMITS.
 */
export function anchorByQuote(ytext: Y.Text, exact: string, hint: QuoteHint = {}, contextChars = DEFAULT_CONTEXT_CHARS): Anchor | null {
  if (exact.length === 0) return null
  const invalid = quoteLimitError({ exact, prefix: hint.prefix, suffix: hint.suffix })
  if (invalid) throw new RangeError(invalid)
  const text = ytext.toString()
  const near = hint.near ?? 0
  const quote = { exact, prefix: hint.prefix ?? '', suffix: hint.suffix ?? '' }
  const occurrences: number[] = []
  for (let i = text.indexOf(exact); i !== -1; i = text.indexOf(exact, i + 1)) occurrences.push(i)
  if (occurrences.length > 0) {
    const best = pickOccurrence(text, exact, quote.prefix, quote.suffix, occurrences, near)
    return createAnchor(ytext, best, best + exact.length, contextChars)
  }
  const found = matchQuote(text, quote, near)
  return found.kind === 'match' ? createAnchor(ytext, found.start, found.end, contextChars) : null
}

function pickOccurrence(text: string, exact: string, prefix: string, suffix: string, at: number[], near: number): number {
  const fit = (i: number): number =>
    (prefix && i >= prefix.length && text.startsWith(prefix, i - prefix.length) ? 1 : 0) + (suffix && text.startsWith(suffix, i + exact.length) ? 1 : 0)
  let best = at[0]
  for (const i of at) {
    const d = fit(i) - fit(best)
    if (d > 0 || (d === 0 && Math.abs(i - near) < Math.abs(best - near))) best = i
  }
  return best
}

export function docOf(ytext: Y.Text): Y.Doc {
  if (!ytext.doc) throw new Error('the Y.Text must be part of a Y.Doc')
  return ytext.doc
}
