// The agent-report store port: the rows behind team metrics' model use (POST .../agent-reports).
// SqliteAgentReportStore and PostgresAgentReportStore implement it; the Prometheus side of a
// report stays in AgentReports (per instance). test/coord/contract.ts ([ARn]) checks both.

import type { ActivityPlan, AgentReportFact } from '../../shared/coord/index.ts'

/** What one report stores (the breaker state and latencies go to Prometheus only). */
export interface StoredAgentReport {
  model: string | null
  modelCalls: number
  inputTokens: number
  outputTokens: number
  errors: number
  retries: number
  breaker: string | null
}

export interface AgentReportStore {
  /** Stores a report at the store's clock (the database's on Postgres); returns that time. */
  record(workspace: string, principal: string, report: StoredAgentReport): Promise<number>
  /** Reports of a workspace in [since, until), oldest first. */
  list(workspace: string, since: number, until: number): Promise<AgentReportFact[]>
  /** Report sums of a team-metrics request: stored counts for granule ranges, single reports for raw ones. */
  activity(workspace: string, plan: ActivityPlan): Promise<AgentReportFact[]>
  close(): Promise<void>
}

export interface AgentReportRow {
  principal: string
  at: number
  model_calls: number
  input_tokens: number
  output_tokens: number
  errors: number
  retries: number
}

export function toReportFact(r: AgentReportRow): AgentReportFact {
  return {
    principal: r.principal,
    at: r.at,
    modelCalls: r.model_calls,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    errors: r.errors,
    retries: r.retries,
  }
}
