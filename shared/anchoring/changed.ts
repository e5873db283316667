// "The text changed since this was written": state vectors for inserts, the quote for deletions.
import * as Y from 'yjs'
import * as buffer from 'lib0/buffer'
import { contextScore } from './match.ts'
import { resolveAnchor } from './resolve.ts'
import type { Anchor, Resolution } from './types.ts'

/**
 * "Changed since this was written", as people mean it: the words the annotation quoted read
 * differently where it is placed now. Edits next to the quote (its context) do not count, nor
 * does the quote moving elsewhere unchanged. False for an orphan (nothing to compare).
 */
export function quoteChanged(text: string, anchor: Anchor, placed: Resolution): boolean {
  return placed.status !== 'orphaned' && text.slice(placed.start, placed.end) !== anchor.quote.exact
}

/**
 * True when `doc` holds writes the anchor's author had not seen: some client's clock is beyond
 * the anchor's state vector. This covers the whole shared document (every text, tasks, meta).
 *
 * Limitation: deletions do not advance a state vector (they live in the delete set), and a
 * replica that is behind the anchor reports false. Pass `ytext` to also compare the quote and
 * its context with the current text, which catches deletions in and around the span.
 */
export function textChangedSince(doc: Y.Doc, anchor: Anchor, ytext?: Y.Text): boolean {
  if (writtenSince(doc, anchor)) return true
  return ytext !== undefined && !quoteIntact(ytext, anchor)
}

/** Some client's clock in `doc` is beyond the anchor's state vector. */
export function writtenSince(doc: Y.Doc, anchor: Anchor): boolean {
  const then = Y.decodeStateVector(buffer.fromBase64(anchor.stateVector))
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
    if (clock > (then.get(client) ?? 0)) return true
  }
  return false
}

/** The anchor resolves exactly and the text around it still reads like the stored prefix and suffix. */
export function quoteIntact(ytext: Y.Text, anchor: Anchor): boolean {
  const r = resolveAnchor(ytext, anchor)
  return r.status === 'exact' && contextScore(ytext.toString(), anchor.quote, r.start, r.end) === 1
}
