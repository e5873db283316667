// The stored side of team-metrics counts (shared/coord/activityPlan.ts): which coord_activity
// rows an entry or report adds to, and how rows read back become team-metrics facts. Both
// stores (SQLite, Postgres) use these, so the counting is written once.

import { COUNTED_CLAIM_EVENTS, REPORT_FIELDS, granuleStarts, type AgentReportFact, type ClaimEvent, type ClaimFact, type TaskFlowEvent } from '../../shared/coord/index.ts'
import type { StoredAgentReport } from './AgentReportStore.ts'

/** One increment of coord_activity (upserted: n adds to the row's count). */
export interface ActivityIncrement {
  workspace: string
  granuleMs: number
  start: number
  principal: string
  field: string
  n: number
}

export interface ActivityRow {
  start: number
  principal: string
  field: string
  n: number
}

const COUNTED = new Set<string>(COUNTED_CLAIM_EVENTS)

export function isCountedEvent(event: string): boolean {
  return COUNTED.has(event)
}

export function claimIncrements(workspace: string, principal: string, event: ClaimEvent, at: number): ActivityIncrement[] {
  if (!COUNTED.has(event)) return []
  return granuleStarts(at).map(({ granuleMs, start }) => ({ workspace, granuleMs, start, principal, field: event, n: 1 }))
}

export function reportIncrements(workspace: string, principal: string, r: StoredAgentReport, at: number): ActivityIncrement[] {
  const values: Record<(typeof REPORT_FIELDS)[number], number> = {
    modelCalls: r.modelCalls,
    tokens: r.inputTokens + r.outputTokens,
    errors: r.errors,
    retries: r.retries,
  }
  return REPORT_FIELDS.filter((f) => values[f] > 0).flatMap((field) =>
    granuleStarts(at).map(({ granuleMs, start }) => ({ workspace, granuleMs, start, principal, field, n: values[field] })),
  )
}

/** Counted claim rows (summed per bucket) as weighted facts, timed at their bucket's start. */
export function claimFactsOf(rows: ActivityRow[]): ClaimFact[] {
  return rows.map((r) => ({ event: r.field as ClaimEvent, principal: r.principal, at: r.start, count: r.n }))
}

/** Report rows as report facts carrying the one field each row counts. */
export function reportFactsOf(rows: ActivityRow[]): AgentReportFact[] {
  return rows.map((r) => ({
    principal: r.principal,
    at: r.start,
    modelCalls: r.field === 'modelCalls' ? r.n : 0,
    inputTokens: r.field === 'tokens' ? r.n : 0,
    outputTokens: 0,
    errors: r.field === 'errors' ? r.n : 0,
    retries: r.field === 'retries' ? r.n : 0,
  }))
}

export interface TaskFlowRow {
  id: string
  created: number | null
  first_won: number | null
  completed: number | null
  last_won: number | null
}

/** Per-task flow times as the few entries computeTaskFlow needs, in log order per task. */
export function taskFlowEventsOf(rows: TaskFlowRow[]): TaskFlowEvent[] {
  return rows.flatMap((r) => {
    const events: TaskFlowEvent[] = []
    if (r.created !== null) events.push({ event: 'created', taskId: r.id, at: r.created })
    if (r.first_won !== null) events.push({ event: 'won', taskId: r.id, at: r.first_won })
    if (r.last_won !== null) events.push({ event: 'won', taskId: r.id, at: r.last_won })
    if (r.completed !== null) events.push({ event: 'completed', taskId: r.id, at: r.completed })
    return events
  })
}
