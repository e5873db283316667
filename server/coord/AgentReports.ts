// The hook for per-agent model-call metrics: agent processes (the SDK) POST what they did
// since their last report; the server counts it in Prometheus under the *authenticated*
// principal and keeps it for team metrics. Reports are deltas, so a lost report loses only
// its own counts and a repeated one counts twice (the SDK should report after each call batch).

import type { ServerMetrics } from '../metrics.ts'
import type { AgentReportFact } from '../../shared/coord/index.ts'
import type { AgentReportStore } from './AgentReportStore.ts'
import { SeriesBudget } from '../seriesBudget.ts'
import { AgentReportBody } from '../../shared/api/schemas.ts'
import type { AgentReportBody as AgentReport } from '../../shared/api/types.ts'

/** Series per agent metric before new principal/model combinations fold into `other`. */
export const MAX_AGENT_SERIES = 200

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const
/**
 * A breaker state not reported again for this long is dropped from /metrics: an agent that
 * exited (or was killed) must not look "open" forever. Running agents report every 10 s while
 * they call the model; an idle one has nothing to protect.
 */
export const BREAKER_STALE_MS = 2 * 60_000

export class AgentReports {
  readonly store: AgentReportStore
  #metrics: ServerMetrics
  #now: () => number
  /** One budget per metric: principals and model names are open-ended. */
  #budgets = {
    modelCalls: new SeriesBudget(MAX_AGENT_SERIES),
    tokens: new SeriesBudget(MAX_AGENT_SERIES),
    errors: new SeriesBudget(MAX_AGENT_SERIES),
    retries: new SeriesBudget(MAX_AGENT_SERIES),
    breaker: new SeriesBudget(MAX_AGENT_SERIES),
    latency: new SeriesBudget(MAX_AGENT_SERIES),
  }
  /** Breaker series (by principal label) → when last reported. */
  #breakerSeen = new Map<string, number>()

  /** `now` times breaker staleness (this instance's /metrics); the store times the stored rows. */
  constructor(store: AgentReportStore, metrics: ServerMetrics, now: () => number = Date.now) {
    this.store = store
    this.#metrics = metrics
    this.#now = now
    metrics.beforeScrape(() => this.#dropStaleBreakers())
  }

  #dropStaleBreakers(): void {
    const cutoff = this.#now() - BREAKER_STALE_MS
    for (const [principal, at] of this.#breakerSeen) {
      if (at >= cutoff) continue
      this.#metrics.agentBreakerState.remove({ principal })
      this.#breakerSeen.delete(principal)
    }
  }

  /** Stores the report, then counts it in this instance's Prometheus series. */
  async record(workspace: string, principal: string, input: AgentReport): Promise<void> {
    const r = AgentReportBody.parse(input)
    const { modelCalls, inputTokens, outputTokens, errors, retries } = r
    await this.store.record(workspace, principal, { model: r.model ?? null, modelCalls, inputTokens, outputTokens, errors, retries, breaker: r.breaker ?? null })
    const m = this.#metrics
    const b = this.#budgets
    if (r.modelCalls) m.agentModelCalls.inc(b.modelCalls.labels({ principal, model: r.model ?? 'unknown' }), r.modelCalls)
    // kind is fixed (input/output): only the principal may fold.
    if (r.inputTokens) m.agentTokens.inc({ ...b.tokens.labels({ principal }), kind: 'input' }, r.inputTokens)
    if (r.outputTokens) m.agentTokens.inc({ ...b.tokens.labels({ principal }), kind: 'output' }, r.outputTokens)
    if (r.errors) m.agentErrors.inc(b.errors.labels({ principal }), r.errors)
    if (r.retries) m.agentRetries.inc(b.retries.labels({ principal }), r.retries)
    if (r.breaker) {
      const labels = b.breaker.labels({ principal })
      m.agentBreakerState.set(labels, BREAKER_VALUE[r.breaker])
      this.#breakerSeen.set(labels.principal, this.#now())
    } else if (this.#breakerSeen.has(principal)) {
      // Any report shows the agent alive: its last breaker state still holds.
      this.#breakerSeen.set(principal, this.#now())
    }
    if (r.latencyMs.length > 0) {
      const labels = b.latency.labels({ principal, model: r.model ?? 'unknown' })
      for (const ms of r.latencyMs) m.agentModelCallSeconds.observe(labels, ms / 1000)
    }
  }

  list(workspace: string, since: number, until: number): Promise<AgentReportFact[]> {
    return this.store.list(workspace, since, until)
  }
}
