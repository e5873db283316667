// `--every 10m`: runs an agent on a schedule. Each agent fires at its own deterministic offset
// within the period (a hash of its id), so a team started together does not fire at once.
// The clock is injectable: tests drive time by hand.

import { stableHash } from '../../shared/coord/index.ts'
import type { Clock } from '../../shared/clock.ts'

export type { Clock }

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
export const MIN_EVERY_MS = 1000
export const MAX_EVERY_MS = 7 * 24 * 3_600_000

/** "500ms", "30s", "10m", "2h" → ms; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim())
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : null
}

/** Where in each period `agentId` fires: stable across restarts, spread across a team. */
export function scheduleOffset(agentId: string, everyMs: number): number {
  return stableHash(agentId) % everyMs
}

/** The first firing strictly after `now`: times ≡ offset (mod everyMs). */
export function nextRunAt(now: number, everyMs: number, offsetMs: number): number {
  return (Math.floor((now - offsetMs) / everyMs) + 1) * everyMs + offsetMs
}

export interface Schedule {
  stop(): void
}

/** Calls `run` at each firing time; a run still going when the next is due skips that one. */
export function runEvery(agentId: string, everyMs: number, run: (at: number) => Promise<void>, clock: Clock = systemClock): Schedule {
  const offset = scheduleOffset(agentId, everyMs)
  let handle: unknown = null
  let stopped = false
  let running = false
  const arm = () => {
    if (stopped) return
    const at = nextRunAt(clock.now(), everyMs, offset)
    handle = clock.setTimeout(() => void fire(at), at - clock.now())
  }
  const fire = async (at: number) => {
    arm()
    if (stopped || running) return
    running = true
    try {
      await run(at)
    } catch {
      // The run reports its own errors; the schedule goes on.
    } finally {
      running = false
    }
  }
  arm()
  return {
    stop: () => {
      stopped = true
      if (handle !== null) clock.clearTimeout(handle)
    },
  }
}
