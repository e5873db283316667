// A clock driven by hand (shared/clock.ts), for the agents' schedules and budgets and for the
// sync core (rate buckets, read pauses, idle unloading).

import type { Clock } from '../../shared/clock.ts'

export interface FakeClock extends Clock {
  /** Moves time forward, firing due timers in time order (each sees now() at its due time). */
  advance(ms: number): Promise<void>
}

export function fakeClock(start: number): FakeClock {
  let now = start
  let nextId = 1
  const timers = new Map<number, { at: number; fn: () => void }>()
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++
      timers.set(id, { at: now + Math.max(0, ms), fn })
      return id
    },
    clearTimeout: (h) => void timers.delete(h as number),
    async advance(ms) {
      const end = now + ms
      const settle = async () => {
        for (let i = 0; i < 10; i++) await Promise.resolve()
      }
      for (;;) {
        // Let promise chains started before (or by the last timer) run first.
        await settle()
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
        if (!due) break
        timers.delete(due[0])
        now = due[1].at
        due[1].fn()
      }
      await settle()
      now = end
    },
  }
}
