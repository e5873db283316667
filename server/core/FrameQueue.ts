// Frames a paused connection has read but not handled yet, in arrival order. Taking from the
// front moves an index instead of copying the rest (a throttled stream resumes thousands of
// times: a copy per resume made the cost grow with the backlog, O(n²) over a long stream).

/** Compact the array once this many taken slots lead it and they are at least half of it. */
const COMPACT_AT = 1024

export class FrameQueue {
  #items: Uint8Array[] = []
  #head = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  push(frame: Uint8Array): void {
    this.#items.push(frame)
  }

  /** The oldest frame, removed; undefined when empty. */
  shift(): Uint8Array | undefined {
    if (this.#head >= this.#items.length) return undefined
    const frame = this.#items[this.#head]
    this.#items[this.#head++] = EMPTY // let it be collected now
    if (this.#head === this.#items.length) this.clear()
    else if (this.#head >= COMPACT_AT && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return frame
  }

  clear(): void {
    this.#items = []
    this.#head = 0
  }
}

const EMPTY = new Uint8Array(0)
