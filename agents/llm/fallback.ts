// What to do when the model cannot be reached: the decision and the human-readable reason.
import type { Failure } from './failures.ts'
import { isTransient } from './failures.ts'

/** A built-in reviewer that runs without network; it writes through its own workspace tools. */
export interface OfflineFallback {
  review(text: string, doc: string): Promise<void>
}

export type FallbackOption = 'pause' | OfflineFallback

/** The fallback runs when the breaker is open or a transient failure outlived its retries;
 *  a client error (bad key, bad request) is a bug to surface, not an outage to ride out. */
export function shouldFallBack(failure: Failure): boolean {
  return failure.kind === 'breaker-open' || isTransient(failure)
}

export function describeFailure(failure: Failure, { model, timeoutMs }: { model: string; timeoutMs: number }): string {
  const http = failure.status === undefined ? '' : ` (HTTP ${failure.status})`
  switch (failure.kind) {
    case 'breaker-open':
      return `${model} is unavailable: the circuit breaker is open after repeated failures`
    case 'rate-limited': {
      const wait = failure.retryAfterMs === undefined ? '' : `; the server asked to wait ${Math.ceil(failure.retryAfterMs / 1000)} s`
      return `${model} is rate limited${http}${wait}`
    }
    case 'overloaded':
      return `${model} is overloaded${http}`
    case 'server':
      return `${model} returned a server error${http}`
    case 'timeout':
      return `${model} did not answer within ${timeoutMs} ms`
    case 'connection':
      return `${model} is unreachable (${failure.message})`
    case 'client':
      return `${model} rejected the request${http}: ${failure.message}`
    case 'cancelled':
      return 'the review was cancelled'
    case 'unknown':
      return `${model} call failed: ${failure.message}`
  }
}
