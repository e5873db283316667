// Recognises a probe's answer that adds nothing without inspecting it. A y-websocket client
// answers every probe (sync step 1) with its whole delete set, so on a document with deletions
// every answer from every client after every broadcast carries it: decoded and checked each
// time (WriteQueue.#addsNothing), that is O(delete set) per answer, growing with the history.

/** A Yjs (v1) update with no structs and an empty delete set. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0
}

/**
 * One room's last answer found to add nothing (no structs, a delete set the document has
 * applied). Clients in sync answer with the same bytes (Yjs writes a delete set in one order),
 * so the next answers are one byte comparison, and the full check runs once per change of the
 * delete set. Deletions are never undone: an answer once found to add nothing never adds anything.
 */
export class ProbeAnswers {
  #known: Uint8Array | null = null

  /** `update` is byte for byte the last answer found to add nothing. */
  known(update: Uint8Array): boolean {
    return this.#known !== null && this.#known.length === update.length && Buffer.compare(update, this.#known) === 0
  }

  /** `update` (no structs) was found to add nothing. */
  remember(update: Uint8Array): void {
    // A copy: the answer is a view into the socket's receive buffer.
    this.#known = update.slice()
  }
}
