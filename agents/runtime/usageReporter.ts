// Sends an LLM agent's model use to the server (POST /api/workspaces/:ws/agent-reports), so
// per-agent model calls, tokens, errors, retries and breaker state show in /metrics and in
// the team metrics. Reports are deltas; a failed report is added to the next one.

import type { LlmEvent, LlmEventEmitter } from '../llm/index.ts'
import type { AgentReportBody } from '../../shared/api/index.ts'
import { AGENT_REPORT_LIMITS } from '../../shared/api/schemas.ts'

type Totals = Required<Pick<AgentReportBody, 'modelCalls' | 'inputTokens' | 'outputTokens' | 'errors' | 'retries'>>

/** The most latencies one report may carry (the server refuses more). */
const MAX_LATENCIES = AGENT_REPORT_LIMITS.latencies

const zero = (): Totals => ({ modelCalls: 0, inputTokens: 0, outputTokens: 0, errors: 0, retries: 0 })

export interface UsageReporter {
  /** Sends what accumulated since the last report (nothing if nothing happened). */
  flush(): Promise<void>
  stop(): Promise<void>
}

export function reportUsage(events: LlmEventEmitter, send: (body: AgentReportBody) => Promise<void>, opts: { model: string; intervalMs?: number }): UsageReporter {
  let pending = zero()
  let breaker: AgentReportBody['breaker']
  let latencies: number[] = []
  const onEvent = (e: LlmEvent) => {
    if (e.type === 'success') {
      pending.modelCalls++
      // Bounded like the server's check: beyond 500 between reports, the oldest are dropped.
      if (latencies.length >= MAX_LATENCIES) latencies.shift()
      latencies.push(Math.round(e.durationMs))
    } else if (e.type === 'failure') {
      pending.modelCalls++
      pending.errors++
    } else if (e.type === 'retry') pending.retries++
    else if (e.type === 'usage') {
      pending.inputTokens += e.inputTokens
      pending.outputTokens += e.outputTokens
    } else if (e.type === 'breaker' && e.state !== 'isolated') breaker = e.state
  }
  events.on('event', onEvent)
  const flush = async () => {
    const delta = pending
    const state = breaker
    const latencyMs = latencies
    if (Object.values(delta).every((v) => v === 0) && state === undefined) return
    pending = zero()
    breaker = undefined
    latencies = []
    try {
      await send({ model: opts.model, ...delta, ...(state ? { breaker: state } : {}), ...(latencyMs.length > 0 ? { latencyMs } : {}) })
    } catch {
      // Keep the numbers for the next report rather than lose them.
      for (const k of Object.keys(delta) as Array<keyof Totals>) pending[k] += delta[k]
      breaker ??= state
      latencies = [...latencyMs, ...latencies].slice(-MAX_LATENCIES)
    }
  }
  const timer = setInterval(() => void flush(), opts.intervalMs ?? 10_000)
  timer.unref()
  return {
    flush,
    stop: async () => {
      clearInterval(timer)
      events.off('event', onEvent)
      await flush()
    },
  }
}
