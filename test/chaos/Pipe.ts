// One direction of a proxied TCP connection: bytes read from `from` are written to `to`
// through an order-preserving delay queue that can also be stalled (kept, not forwarded).
// Bounded: past maxBufferedBytes the source is paused, so TCP backpressure reaches the sender.

import type { Socket } from 'node:net'

/** Milliseconds to hold one chunk: fixed, or chosen per chunk (e.g. seeded jitter). */
export type Delay = number | ((chunk: Buffer) => number)

interface Queued {
  chunk: Buffer
  due: number
}

export class Pipe {
  bytesIn = 0
  bytesOut = 0
  #queue: Queued[] = []
  #queuedBytes = 0
  #lastDue = 0
  #delay: Delay = 0
  #stalled = false
  #sourceEnded = false
  #waitingForDrain = false
  #timer: NodeJS.Timeout | null = null
  #closed = false

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly maxBufferedBytes: number,
  ) {
    from.on('data', (chunk: Buffer) => this.#push(chunk))
    from.on('end', () => {
      this.#sourceEnded = true
      this.#pump()
    })
    to.on('drain', () => {
      this.#waitingForDrain = false
      this.#pump()
    })
  }

  /** Applies to chunks read from now on; queued chunks keep their due time. */
  setDelay(delay: Delay): void {
    this.#delay = delay
  }

  stall(): void {
    this.#stalled = true
    this.#clearTimer()
  }

  resume(): void {
    this.#stalled = false
    this.#pump()
  }

  get stalled(): boolean {
    return this.#stalled
  }

  /** Bytes read but not yet forwarded. */
  get buffered(): number {
    return this.#queuedBytes
  }

  /** Drops whatever is queued; the sockets are the connection's to destroy. */
  close(): void {
    this.#closed = true
    this.#clearTimer()
    this.#queue = []
    this.#queuedBytes = 0
  }

  #push(chunk: Buffer): void {
    if (this.#closed) return
    this.bytesIn += chunk.length
    const wait = typeof this.#delay === 'function' ? this.#delay(chunk) : this.#delay
    // A chunk is never due before the one ahead of it: delays reorder nothing within a stream.
    const due = Math.max(performance.now() + Math.max(0, wait), this.#lastDue)
    this.#lastDue = due
    this.#queue.push({ chunk, due })
    this.#queuedBytes += chunk.length
    if (this.#queuedBytes > this.maxBufferedBytes) this.from.pause()
    this.#pump()
  }

  #pump(): void {
    if (this.#closed || this.#stalled || this.#waitingForDrain) return
    this.#clearTimer()
    const now = performance.now()
    while (this.#queue.length > 0) {
      const head = this.#queue[0]
      if (head.due > now) {
        this.#timer = setTimeout(() => this.#pump(), Math.ceil(head.due - now))
        break
      }
      this.#queue.shift()
      this.#queuedBytes -= head.chunk.length
      if (this.to.destroyed || this.to.writableEnded) continue
      this.bytesOut += head.chunk.length
      if (!this.to.write(head.chunk)) {
        this.#waitingForDrain = true
        break
      }
    }
    if (this.#queuedBytes <= this.maxBufferedBytes && this.from.isPaused() && !this.from.destroyed) this.from.resume()
    if (this.#queue.length === 0 && this.#sourceEnded && !this.to.destroyed && !this.to.writableEnded) this.to.end()
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }
}
