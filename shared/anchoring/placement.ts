// Placing many anchors on one text within a time budget. Every reader (the server's review
// API, the browser's editor and Readings tab) places every readable annotation again after each
// edit; one namespace full of anchors that never hold must not starve the others or freeze the
// reader. So: the cheap step (relative positions) for every anchor at once, then the quote
// search for the rest, one at a time, taking owners in turn, until the budget is spent; what is
// left is reported as skipped rather than placed late or on a guess.
import type * as Y from 'yjs'
import { checkPositions, placeByQuote, type PositionCheck } from './resolve.ts'
import type { Anchor, Resolution } from './types.ts'

export interface PlacementItem<T> {
  owner: string
  anchor: Anchor
  item: T
}

export type Placed<T> = PlacementItem<T> & { resolution: Resolution | null }

export class AnchorPlacement<T> {
  /** The text every result refers to (a snapshot: later edits do not mix in). */
  readonly text: string
  readonly #items: Array<PlacementItem<T> & { check: PositionCheck; resolution: Resolution | null }>
  /** Per owner, indexes of items still waiting for the quote search, in order. */
  readonly #queues: number[][]
  #turn = 0

  constructor(ytext: Y.Text, items: Array<PlacementItem<T>>) {
    this.text = ytext.toString()
    this.#items = items.map((i) => {
      const check = checkPositions(ytext, this.text, i.anchor)
      const resolution = check.status === 'moved' ? null : placeByQuote(this.text, i.anchor, check)
      return { ...i, check, resolution }
    })
    const byOwner = new Map<string, number[]>()
    this.#items.forEach((i, index) => {
      if (i.resolution !== null) return
      byOwner.set(i.owner, [...(byOwner.get(i.owner) ?? []), index])
    })
    this.#queues = [...byOwner.keys()].sort().map((owner) => byOwner.get(owner)!)
  }

  get done(): boolean {
    return this.#queues.every((q) => q.length === 0)
  }

  /** Searches the quote of one waiting anchor (owners take turns). */
  step(): void {
    for (let tries = 0; tries < this.#queues.length; tries++) {
      const queue = this.#queues[this.#turn++ % this.#queues.length]
      const index = queue.shift()
      if (index === undefined) continue
      const i = this.#items[index]
      i.resolution = placeByQuote(this.text, i.anchor, i.check)
      return
    }
  }

  /** Steps until done or `budgetMs` has passed (checked between anchors: one anchor's search is itself bounded). */
  runFor(budgetMs: number, now: () => number = () => performance.now()): this {
    const deadline = now() + budgetMs
    while (!this.done && now() < deadline) this.step()
    return this
  }

  /** Every item with its resolution; null for those the budget did not reach. */
  results(): Array<Placed<T>> {
    return this.#items.map(({ owner, anchor, item, resolution }) => ({ owner, anchor, item, resolution }))
  }
}
