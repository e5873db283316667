// Grouping readings on the request path without holding the event loop: the quote searches
// run in slices of a few milliseconds, and every request computing readings shares one turn
// per event-loop iteration (a FIFO turnstile), so whatever else is waiting (another request,
// /healthz, sockets) waits for at most one slice, however many readings are being computed.
// Each computation stops at its deadline (READING_LIMITS.budgetMs by default); what was not
// reached is reported as skipped (shared/review/divergences.ts).

import type * as Y from 'yjs'
import type { Annotation } from '../../shared/annotations.ts'
import { prepareDivergences, READING_LIMITS, type Divergences, type GroupOptions } from '../../shared/review/index.ts'

/** Longest run of quote searches in one turn (one search may overrun it: each is bounded on its own). */
const SLICE_MS = 2

const waiting: Array<() => void> = []
let scheduled = false

/** Resolves on a later event-loop iteration, one waiter per iteration, first come first served. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve)
    schedule()
  })
}

function schedule(): void {
  if (scheduled || waiting.length === 0) return
  scheduled = true
  setImmediate(() => {
    scheduled = false
    waiting.shift()?.()
    schedule()
  })
}

export async function groupYielding(
  doc: string,
  text: Y.Text,
  byPrincipal: Map<string, Annotation[]>,
  options: Omit<GroupOptions, 'budgetMs' | 'now'> & { deadline?: number } = {},
): Promise<Divergences> {
  const work = prepareDivergences(doc, text, byPrincipal, options)
  // An absolute deadline (performance.now() clock) lets several documents share one budget.
  const deadline = options.deadline ?? performance.now() + READING_LIMITS.budgetMs
  while (!work.placement.done && performance.now() < deadline) {
    await nextTurn()
    work.placement.runFor(Math.min(SLICE_MS, deadline - performance.now()))
  }
  return work.finish()
}
