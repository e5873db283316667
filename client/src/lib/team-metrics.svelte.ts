// Team metrics from GET /api/workspaces/:ws/metrics (attribution and claim logs), refreshed
// periodically while shown, plus the share of stretches with one reading vs several,
// computed here from the namespaces this viewer may read.

import { groupDivergences, READING_LIMITS } from '../../../shared/review/index.ts'
import type { TeamMetrics } from '../../../shared/coord/index.ts'
import type { Workspace } from './workspace.svelte.ts'

export interface ReadingShare {
  stretches: number
  singleReading: number
  severalReadings: number
}

export class TeamMetricsFeed {
  readonly #workspace: Workspace
  #data = $state.raw<TeamMetrics | null>(null)
  #error = $state<string | null>(null)
  #timer: ReturnType<typeof setInterval> | null = null

  constructor(workspace: Workspace) {
    this.#workspace = workspace
  }

  get data(): TeamMetrics | null {
    return this.#data
  }

  get error(): string | null {
    return this.#error
  }

  /** Over every document, live. */
  get readings(): ReadingShare {
    const share = { stretches: 0, singleReading: 0, severalReadings: 0 }
    const { documents, namespaces } = this.#workspace
    // One time budget across every document (each recomputation runs after edits).
    const deadline = performance.now() + READING_LIMITS.browserBudgetMs
    for (const name of documents.ids) {
      const text = documents.text(name)
      if (!text) continue
      const budgetMs = Math.max(0, deadline - performance.now())
      const { summary } = groupDivergences(name, text, namespaces.byPrincipal(name), { budgetMs })
      share.stretches += summary.stretches
      share.singleReading += summary.singleReading
      share.severalReadings += summary.severalReadings
    }
    return share
  }

  async refresh(): Promise<void> {
    try {
      this.#data = await this.#workspace.api.teamMetrics(this.#workspace.id, { bucketMs: 3_600_000 })
      this.#error = null
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e)
    }
  }

  start(everyMs = 15_000): void {
    void this.refresh()
    this.#timer ??= setInterval(() => void this.refresh(), everyMs)
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }
}
