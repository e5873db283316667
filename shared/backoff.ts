// Exponential backoff with full jitter (AWS architecture blog "Exponential Backoff And Jitter"):
// delay = random(0, min(cap, base * 2^attempt)). Jitter spreads reconnect storms after an outage.

export interface BackoffOptions {
  baseMs: number
  capMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 10_000 }

/** attempt counts from 0; random is injectable so tests can pin it. */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30))
  return Math.max(opts.baseMs / 4, Math.round(random() * ceiling))
}
