// Placing a stored anchor on the current text: relative positions first, the quote second.
import * as Y from 'yjs'
import { docOf } from './anchor.ts'
import { matchQuote, type MatchOptions } from './match.ts'
import type { Anchor, RelativePositionJSON, Resolution } from './types.ts'

/**
 * Where `anchor` is in `ytext` now.
 * - `exact`: the relative positions still enclose exactly the quoted text.
 * - `fuzzy`: the span was edited, deleted or the positions are unknown here, and a quote match
 *   (exact or approximate, scored by context and distance) is clearly the best place.
 * - `orphaned`: nothing fits well enough, or several places fit equally and context cannot
 *   choose. We never move an annotation to a doubtful place.
 */
export function resolveAnchor(ytext: Y.Text, anchor: Anchor, options: MatchOptions = {}): Resolution {
  const text = ytext.toString()
  const start = absolute(ytext, anchor.start)
  const end = absolute(ytext, anchor.end)
  if (start !== null && end !== null && start < end && text.slice(start, end) === anchor.quote.exact) {
    return { status: 'exact', start, end }
  }
  // The last place the positions point to is a better hint than the offset at creation.
  const hint = start ?? end ?? anchor.position.start
  const found = matchQuote(text, anchor.quote, hint, options)
  if (found.kind === 'match') return { status: 'fuzzy', start: found.start, end: found.end, score: found.score }
  if (found.kind === 'ambiguous') return { status: 'orphaned', reason: 'ambiguous' }
  const unknown = start === null && (unseen(ytext, anchor.start) || unseen(ytext, anchor.end))
  return { status: 'orphaned', reason: unknown ? 'not-synced' : 'not-found' }
}

/** Offset of a relative position in `ytext`, or null when it belongs elsewhere or cannot be resolved here. */
function absolute(ytext: Y.Text, json: RelativePositionJSON): number | null {
  const rpos = Y.createRelativePositionFromJSON(json)
  const abs = Y.createAbsolutePositionFromRelativePosition(rpos, docOf(ytext))
  return abs !== null && abs.type === ytext ? abs.index : null
}

/** The position names an item this replica has not received yet. */
function unseen(ytext: Y.Text, json: RelativePositionJSON): boolean {
  const id = json.item
  return id !== undefined && Y.getState(docOf(ytext).store, id.client) <= id.clock
}
