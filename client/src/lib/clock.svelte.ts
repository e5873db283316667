// A reactive "now" that ticks only while something on screen reads it (lease countdowns).

import { createSubscriber } from 'svelte/reactivity'

export class Clock {
  readonly #subscribe: () => void

  constructor(intervalMs = 1_000) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, intervalMs)
      return () => clearInterval(timer)
    })
  }

  get now(): number {
    this.#subscribe()
    return Date.now()
  }
}

/** "42 s", "3 min 05 s", "expired". */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired'
  const s = Math.ceil(ms / 1000)
  if (s < 60) return `${s} s`
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
}
