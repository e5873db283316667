// Everything the LLM layer reports for metrics and tests: one typed event stream plus
// live counters. Listen with `events.on('event', e => ...)`.
import { EventEmitter } from 'node:events'
import type { FailureKind } from './failures.ts'

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated'
export type AgentState = 'idle' | 'reading' | 'thinking' | 'writing' | 'error' | 'paused'
export interface AgentStatus {
  state: AgentState
  detail?: string
}

export type ToolOutcome = 'read' | 'created' | 'duplicate' | 'rejected' | 'failed'

/** `attempt` counts HTTP attempts of one call from 1; a `retry` event's `attempt` is the
 *  number of the retry (retry 1 precedes attempt 2). */
export type LlmEvent =
  /** One HTTP attempt is about to be made. */
  | { type: 'call'; endpoint: string; attempt: number }
  | { type: 'success'; endpoint: string; attempt: number; durationMs: number }
  | { type: 'failure'; endpoint: string; attempt: number; kind: FailureKind; status?: number; message: string }
  /** A failed attempt will be retried after `delayMs` (`retryAfterMs` when the server asked). */
  | { type: 'retry'; endpoint: string; attempt: number; delayMs: number; retryAfterMs?: number }
  /** A call was refused without touching the network because the breaker is open. */
  | { type: 'fast-fail'; endpoint: string }
  | { type: 'breaker'; endpoint: string; state: BreakerState }
  /** The open breaker's cooldown has elapsed: the next call will be a half-open probe. */
  | { type: 'breaker-ready'; endpoint: string }
  | { type: 'usage'; agent: string; endpoint: string; inputTokens: number; outputTokens: number }
  | { type: 'tool'; agent: string; tool: string; outcome: ToolOutcome; detail?: string }
  | { type: 'fallback'; agent: string; mode: 'pause' | 'offline'; reason: string }
  | { type: 'status'; agent: string; status: AgentStatus }

export type LlmEventEmitter = EventEmitter<{ event: [LlmEvent] }>

export function createLlmEventEmitter(): LlmEventEmitter {
  return new EventEmitter<{ event: [LlmEvent] }>()
}

/** Counters kept by the policies (one set per `LlmPolicies`, all endpoints). */
export interface PolicyCounters {
  /** HTTP attempts made. */
  calls: number
  successes: number
  /** Failed attempts, whatever the kind. */
  failures: number
  timeouts: number
  retries: number
  /** Calls refused by an open breaker. */
  fastFails: number
  breakerTransitions: number
}

/** Counters kept by one agent. */
export interface AgentCounters {
  reviews: number
  turns: number
  inputTokens: number
  outputTokens: number
  toolCalls: number
  /** Tool calls refused before reaching the workspace: bad input, unknown tool, quote not in doc. */
  rejectedToolCalls: number
  /** Writes that created something new. */
  writes: number
  /** Writes whose deterministic id already existed (a retried or restarted review). */
  duplicateWrites: number
  fallbacks: number
}

export function emptyPolicyCounters(): PolicyCounters {
  return { calls: 0, successes: 0, failures: 0, timeouts: 0, retries: 0, fastFails: 0, breakerTransitions: 0 }
}

export function emptyAgentCounters(): AgentCounters {
  return {
    reviews: 0,
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    toolCalls: 0,
    rejectedToolCalls: 0,
    writes: 0,
    duplicateWrites: 0,
    fallbacks: 0,
  }
}
