// `--max-tokens-per-hour N`: an agent's model budget per clock hour. When spent, the agent
// pauses (its presence says until when) and resumes in the next hour. Clock injectable.

import type { Agent } from '../sdk/Agent.ts'
import { systemClock, type Clock } from './schedule.ts'

const HOUR_MS = 3_600_000

export class TokenBudget {
  #windowStart = -1
  #spent = 0

  constructor(
    readonly maxPerHour: number,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  /** Counts tokens the model used, in the current hour. */
  record(tokens: number): void {
    this.#roll()
    this.#spent += tokens
  }

  spent(): number {
    this.#roll()
    return this.#spent
  }

  /** When the budget is spent: the start of the next hour (when it renews); else null. */
  pausedUntil(): number | null {
    this.#roll()
    return this.#spent >= this.maxPerHour ? this.#windowStart + HOUR_MS : null
  }

  #roll(): void {
    const start = Math.floor(this.clock.now() / HOUR_MS) * HOUR_MS
    if (start !== this.#windowStart) {
      this.#windowStart = start
      this.#spent = 0
    }
  }
}

/** "paused: token budget spent until 14:05 UTC" */
export function budgetPausedText(until: number): string {
  return `paused: token budget spent until ${new Date(until).toISOString().slice(11, 16)} UTC`
}

/** Resolves at once when budget is left; else shows the pause in presence and waits for the next hour (or `signal`). */
export async function waitForBudget(budget: TokenBudget, agent: Pick<Agent, 'setStatus'>, clock: Clock = systemClock, signal?: AbortSignal): Promise<void> {
  let paused = false
  for (let until = budget.pausedUntil(); until !== null && !signal?.aborted; until = budget.pausedUntil()) {
    paused = true
    agent.setStatus('paused', budgetPausedText(until))
    await new Promise<void>((resolve) => {
      const handle = clock.setTimeout(done, Math.max(0, until - clock.now()))
      function done() {
        clock.clearTimeout(handle)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      signal?.addEventListener('abort', done)
    })
  }
  if (paused && !signal?.aborted) agent.setStatus('idle', 'token budget renewed')
}
