// Pure classification of errors from a Messages API call: what kind of failure it is,
// whether another attempt could help, and how long the server asked us to wait.
import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk'
import { TaskCancelledError, isBrokenCircuitError } from 'cockatiel'

export type FailureKind =
  | 'rate-limited' // 429
  | 'overloaded' // 529
  | 'server' // other 5xx
  | 'timeout' // our per-call timeout (or the SDK's)
  | 'connection' // refused, reset, DNS...
  | 'breaker-open' // failed fast: the endpoint's circuit is open
  | 'client' // 4xx other than 408/409/429: the request itself is wrong, retrying cannot help
  | 'cancelled' // the caller aborted
  | 'unknown'

export interface Failure {
  kind: FailureKind
  status?: number
  /** Delay the server asked for (`retry-after-ms` or `retry-after`), in ms. */
  retryAfterMs?: number
  message: string
}

/** Kinds that say "the endpoint is unwell right now": retried, counted by the breaker, and
 *  — when retries run out — answered by the fallback. */
export const TRANSIENT_KINDS: ReadonlySet<FailureKind> = new Set<FailureKind>(['rate-limited', 'overloaded', 'server', 'timeout', 'connection'])

/** Reads `retry-after-ms` (milliseconds) or `retry-after` (seconds, or an HTTP date). */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined
  const ms = headers.get('retry-after-ms')
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms)
    if (Number.isFinite(value) && value >= 0) return value
  }
  const raw = headers.get('retry-after')
  if (raw === null || raw.trim() === '') return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined
  const date = Date.parse(raw)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

export function classifyFailure(error: unknown, now: number = Date.now()): Failure {
  const message = error instanceof Error ? error.message : String(error)
  if (isBrokenCircuitError(error)) return { kind: 'breaker-open', message }
  // Not cockatiel's isTaskCancelledError: in 3.2 it tests the wrong marker property.
  if (error instanceof TaskCancelledError) return { kind: 'timeout', message }
  if (error instanceof APIUserAbortError) return { kind: 'cancelled', message }
  // APIConnectionTimeoutError is a subclass: the SDK's own timeout, a backstop behind ours.
  if (error instanceof APIConnectionError) {
    return { kind: /timed out/i.test(message) ? 'timeout' : 'connection', message }
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status
    const retryAfterMs = parseRetryAfter(error.headers, now)
    const base = { status, message: error.apiMessage ?? message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }
    if (status === 429) return { kind: 'rate-limited', ...base }
    if (status === 529) return { kind: 'overloaded', ...base }
    if (status >= 500 || status === 408 || status === 409) return { kind: 'server', ...base }
    return { kind: 'client', ...base }
  }
  return { kind: 'unknown', message }
}

export function isTransient(failure: Failure): boolean {
  return TRANSIENT_KINDS.has(failure.kind)
}
