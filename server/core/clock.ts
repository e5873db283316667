// The core's only source of time: rate buckets, read pauses and the idle-room timer read it,
// so tests drive them by hand (test/helpers/fakeClock.ts) instead of waiting on the wall clock.
// Metrics that time real work (persist and broadcast latency) keep performance.now: they
// measure, they decide nothing.

import type { Clock } from '../../shared/clock.ts'

export type { Clock }

/** The real clock. Its timers never keep the process alive (a server stops when asked to). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}
