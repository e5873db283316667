// Placing a stored anchor on the current text: relative positions first, the quote second.
// The two steps are separate so a reader can do the cheap one for every anchor at once and
// spend a bounded time budget on the expensive one (placement.ts).
import * as Y from 'yjs'
import { docOf } from './anchor.ts'
import { matchQuote, type MatchOptions } from './match.ts'
import { quoteLimitError } from './limits.ts'
import type { Anchor, RelativePositionJSON, Resolution } from './types.ts'

/** What the relative positions say: the span still holds exactly, or the quote must be searched. */
export type PositionCheck = { status: 'exact'; start: number; end: number } | { status: 'invalid' } | { status: 'moved'; hint: number; notSynced: boolean }

/**
 * Where `anchor` is in `ytext` now.
 * - `exact`: the relative positions still enclose exactly the quoted text.
 * - `fuzzy`: the span was edited, deleted or the positions are unknown here, and a quote match
 *   (exact or approximate, scored by context and distance) is clearly the best place.
 * - `orphaned`: nothing fits well enough, or several places fit equally and context cannot
 *   choose. We never move an annotation to a doubtful place. An anchor beyond ANCHOR_LIMITS
 *   (stored before the limits, or written by a hostile client) is `invalid`, never scored.
 */
export function resolveAnchor(ytext: Y.Text, anchor: Anchor, options: MatchOptions = {}): Resolution {
  const text = ytext.toString()
  return placeByQuote(text, anchor, checkPositions(ytext, text, anchor), options)
}

/** The cheap step: resolves the relative positions (no string search). `text` is `ytext.toString()`. */
export function checkPositions(ytext: Y.Text, text: string, anchor: Anchor): PositionCheck {
  if (quoteLimitError(anchor.quote)) return { status: 'invalid' }
  const start = absolute(ytext, anchor.start)
  const end = absolute(ytext, anchor.end)
  if (start !== null && end !== null && start < end && text.slice(start, end) === anchor.quote.exact) {
    return { status: 'exact', start, end }
  }
  // The last place the positions point to is a better hint than the offset at creation.
  const hint = start ?? end ?? anchor.position.start
  return { status: 'moved', hint, notSynced: start === null && (unseen(ytext, anchor.start) || unseen(ytext, anchor.end)) }
}

/** The bounded expensive step, pure string code: searches the quote when the positions no longer hold. */
export function placeByQuote(text: string, anchor: Anchor, check: PositionCheck, options: MatchOptions = {}): Resolution {
  if (check.status === 'exact') return check
  if (check.status === 'invalid') return { status: 'orphaned', reason: 'invalid' }
  const found = matchQuote(text, anchor.quote, check.hint, options)
  if (found.kind === 'match') return { status: 'fuzzy', start: found.start, end: found.end, score: found.score }
  if (found.kind === 'ambiguous') return { status: 'orphaned', reason: 'ambiguous' }
  return { status: 'orphaned', reason: check.notSynced ? 'not-synced' : 'not-found' }
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
