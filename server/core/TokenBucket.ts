// A token bucket: `take(n)` returns 0 when allowed now, else the ms to wait until it would be.
// Debt is allowed (the message was already read), so a flood is paused for as long as it borrowed.

import { systemClock, type Clock } from './clock.ts'

export class TokenBucket {
  #tokens: number
  #last: number

  constructor(
    readonly capacity: number,
    readonly perSecond: number,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {
    this.#tokens = capacity
    this.#last = clock.now()
  }

  take(n: number): number {
    this.#refill()
    this.#tokens -= n
    if (this.#tokens >= 0) return 0
    return Math.ceil((-this.#tokens / this.perSecond) * 1000)
  }

  #refill(): void {
    const t = this.clock.now()
    this.#tokens = Math.min(this.capacity, this.#tokens + ((t - this.#last) / 1000) * this.perSecond)
    this.#last = t
  }
}
