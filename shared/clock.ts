// Time as a parameter: what the agents' schedules and the server's sync core read instead of
// Date.now and setTimeout, so tests drive time by hand (test/helpers/fakeClock.ts). Each side
// supplies its own real clock (agents/runtime/schedule.ts, server/core/clock.ts).

export interface Clock {
  /** Milliseconds since the epoch (Date.now()). */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}
