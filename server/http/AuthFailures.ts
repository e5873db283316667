// Failed authentications per client address: after `maxAuthFailures` wrong tokens within a
// window the address gets 429 (with Retry-After) on every authenticated route until the window
// ends, so tokens cannot be guessed at speed. Fixed windows; the clock is injectable for tests.
// The table is bounded: expired entries are dropped, and beyond MAX_TRACKED the oldest go.

import type { HttpLimits } from './limits.ts'

const MAX_TRACKED = 10_000

interface Window {
  startedAt: number
  failures: number
}

export class AuthFailures {
  readonly #windows = new Map<string, Window>()

  constructor(
    private readonly limits: Pick<HttpLimits, 'maxAuthFailures' | 'authFailureWindowMs'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds `address` must wait before trying again, or null when it may try now. */
  retryAfterS(address: string): number | null {
    const w = this.#current(address)
    if (!w || w.failures < this.limits.maxAuthFailures) return null
    return Math.max(1, Math.ceil((w.startedAt + this.limits.authFailureWindowMs - this.now()) / 1000))
  }

  /** Counts one failed authentication from `address`. */
  fail(address: string): void {
    const w = this.#current(address)
    if (w) {
      w.failures++
      return
    }
    if (this.#windows.size >= MAX_TRACKED) this.#prune()
    this.#windows.set(address, { startedAt: this.now(), failures: 1 })
  }

  #current(address: string): Window | null {
    const w = this.#windows.get(address)
    if (!w) return null
    if (this.now() - w.startedAt >= this.limits.authFailureWindowMs) {
      this.#windows.delete(address)
      return null
    }
    return w
  }

  #prune(): void {
    const now = this.now()
    for (const [address, w] of this.#windows) {
      if (now - w.startedAt >= this.limits.authFailureWindowMs) this.#windows.delete(address)
    }
    // Still full: forget the oldest windows (Map iterates in insertion order).
    for (const address of this.#windows.keys()) {
      if (this.#windows.size < MAX_TRACKED) break
      this.#windows.delete(address)
    }
  }
}
