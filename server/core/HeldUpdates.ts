// Gap accounting for a room's write path: updates whose dependencies have not arrived.
//
// A stored update that depends on something the document lacks is held here instead of being
// handed to Yjs, which would re-merge its whole pending set on every such update and ship the
// dangling structs to new clients in sync step 2. A burst of updates is inspected before any of
// it is applied, so what the queue will add is tracked too: consecutive updates of one client
// are not mistaken for gaps, and gaps in one burst add up against the room's bounds.

import * as Y from 'yjs'
import { needsMet, yjsPendingBytes, type UpdateInfo } from './inspectUpdate.ts'

/** What an update needs before it integrates, worked out when it was offered. */
export interface Dependencies {
  gap: boolean
  /** Per client: the clock after the update; null when it has a gap (it may not apply soon). */
  ends: Map<number, number> | null
  /** Per client: the clock the document must have before this update integrates. */
  needs: Map<number, number>
}

/** A server write: made on a copy of the whole document, it needs nothing. */
export const NO_DEPENDENCIES: Dependencies = { gap: false, ends: null, needs: new Map() }

export function dependenciesOf(info: Pick<UpdateInfo, 'hasGap' | 'ends' | 'needs'>): Dependencies {
  return { gap: info.hasGap, ends: info.hasGap ? null : info.ends, needs: info.needs }
}

export interface Holdable {
  update: Uint8Array
  deps: Dependencies
}

export class HeldUpdates<T extends Holdable> {
  /** Stored updates whose dependencies have not arrived, in arrival order. */
  #held: T[] = []
  #heldBytes = 0
  #queuedEnds = new Map<number, number>()
  #queuedGapBytes = 0
  #queuedGaps = 0

  constructor(private readonly doc: Y.Doc) {}

  /** Updates held back for missing dependencies, counting queued updates that will be. */
  get count(): number {
    return this.#held.length + this.#queuedGaps
  }

  /** Bytes held back for missing dependencies, counting queued updates that will be. */
  bytes(): number {
    return this.#heldBytes + this.#queuedGapBytes + yjsPendingBytes(this.doc)
  }

  /** The held updates themselves (a snapshot must include them). */
  updates(): Uint8Array[] {
    return this.#held.map((q) => q.update)
  }

  /** The clock the document will have for `client` once everything queued is applied. */
  expectedState(client: number): number {
    return Math.max(Y.getState(this.doc.store, client), this.#queuedEnds.get(client) ?? 0)
  }

  /** `q` joined the queue. */
  queued(q: T): void {
    const { deps } = q
    if (deps.gap) {
      this.#queuedGapBytes += q.update.length
      this.#queuedGaps++
    }
    this.#addEnds(deps)
  }

  /** `batch` left the queue (stored and applied or held, or failed); `remaining` is still queued. */
  dequeued(batch: T[], remaining: T[]): void {
    for (const q of batch) {
      if (!q.deps.gap) continue
      this.#queuedGapBytes -= q.update.length
      this.#queuedGaps--
    }
    this.#queuedEnds.clear()
    for (const q of remaining) this.#addEnds(q.deps)
  }

  #addEnds(deps: Dependencies): void {
    for (const [client, end] of deps.ends ?? []) this.#queuedEnds.set(client, Math.max(end, this.#queuedEnds.get(client) ?? 0))
  }

  /** Applies `q` now if the document has what it needs, or holds it until it does. */
  applyOrHold(q: T, apply: (q: T) => void): void {
    if (needsMet(this.doc, q.deps.needs)) return apply(q)
    this.#held.push(q)
    this.#heldBytes += q.update.length
  }

  /** Applies held updates whose dependencies have arrived (one may unblock the next). */
  applyReady(apply: (q: T) => void): void {
    let progress = this.#held.length > 0
    while (progress) {
      progress = false
      for (let i = 0; i < this.#held.length; i++) {
        const q = this.#held[i]
        if (!needsMet(this.doc, q.deps.needs)) continue
        this.#held.splice(i--, 1)
        this.#heldBytes -= q.update.length
        apply(q)
        progress = true
      }
    }
  }
}
