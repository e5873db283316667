// How many new conflict records one principal may cause in one room per window. Conflicts are
// cheap to mint with deliberately stale writes; each one is a durable row, a live event and
// work for a person. Beyond the budget new records are dropped, counted in
// polyphony_conflicts_suppressed_total and logged once per window and principal.
// Fixed windows; the clock is injectable for tests. The table is bounded like AuthFailures.

const MAX_TRACKED = 10_000

export interface ConflictBudgetLimits {
  /** New records one principal may cause per room per window. */
  maxPerWindow: number
  windowMs: number
}

export const DEFAULT_CONFLICT_BUDGET: ConflictBudgetLimits = { maxPerWindow: 200, windowMs: 60_000 }

interface Window {
  startedAt: number
  used: number
  /** Whether the excess of this window was logged already. */
  warned: boolean
}

export class ConflictBudget {
  readonly #windows = new Map<string, Window>()

  constructor(
    readonly limits: ConflictBudgetLimits = DEFAULT_CONFLICT_BUDGET,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Charges one record to `principal` in `room`. Returns 'ok', or 'over' (drop it), or
   * 'over-first' (drop it, and this is the first excess of the window: log it).
   */
  charge(room: string, principal: string): 'ok' | 'over' | 'over-first' {
    const key = `${room}\u0000${principal}`
    const now = this.now()
    let w = this.#windows.get(key)
    if (w && now - w.startedAt >= this.limits.windowMs) w = undefined
    if (!w) {
      if (this.#windows.size >= MAX_TRACKED) this.#prune(now)
      w = { startedAt: now, used: 0, warned: false }
      this.#windows.set(key, w)
    }
    if (w.used < this.limits.maxPerWindow) {
      w.used++
      return 'ok'
    }
    if (w.warned) return 'over'
    w.warned = true
    return 'over-first'
  }

  #prune(now: number): void {
    for (const [key, w] of this.#windows) if (now - w.startedAt >= this.limits.windowMs) this.#windows.delete(key)
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < MAX_TRACKED) break
      this.#windows.delete(key)
    }
  }
}
