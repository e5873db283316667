// Resilience policies for Messages API calls, built with cockatiel:
//   retry( breaker[endpoint]( timeout( call ) ) )
// - timeout: aggressive, aborts the HTTP request through the AbortSignal it hands down;
// - breaker: one consecutive-failure breaker per model endpoint, fed by every attempt;
//   when open, calls fail fast (BrokenCircuitError) without touching the network;
// - retry: exponential backoff with half jitter, replaced by the server's `retry-after`
//   when it sends one; only transient failures are retried (see failures.ts).
// The fallback (pause, or an offline reviewer) is the runner's business: it receives the
// final error and decides with `classifyFailure` (see runner.ts).
import { trace } from '@opentelemetry/api'
import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  CircuitState,
  circuitBreaker,
  halfJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel'
import { classifyFailure, isTransient, type Failure } from './failures.ts'
import { createLlmEventEmitter, emptyPolicyCounters, type BreakerState, type LlmEvent, type LlmEventEmitter, type PolicyCounters } from './events.ts'

export interface RetryOptions {
  /** Retries after the first attempt (0 = never retry). */
  maxRetries: number
  /** First backoff; each later one doubles, with half jitter: delay ∈ [d/2, d). */
  initialDelayMs: number
  maxDelayMs: number
  /** A `retry-after` longer than this is not waited for: the call fails (and falls back). */
  maxRetryAfterMs?: number
}

export interface BreakerOptions {
  /** Consecutive failed attempts that open the breaker. */
  threshold: number
  /** How long the breaker stays open before letting one probe call through. */
  halfOpenAfterMs: number
}

export interface LlmPolicyOptions {
  timeoutMs: number
  retry: RetryOptions
  breaker: BreakerOptions
  /** Share one stream between policies and agents; created when omitted. */
  events?: LlmEventEmitter
}

export interface LlmPolicies {
  readonly timeoutMs: number
  readonly events: LlmEventEmitter
  readonly counters: PolicyCounters
  /** Runs `call` for `endpoint` under retry(breaker(timeout)). `call` must honour `signal`. */
  execute<T>(endpoint: string, call: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>
  breakerState(endpoint: string): BreakerState
  /** The endpoint's most recent failed attempt (what a fast-failing breaker is protecting from). */
  lastFailure(endpoint: string): Failure | undefined
  /** Clears pending cooldown timers. */
  dispose(): void
}

/** The breaker key: one breaker per (API base URL, model). */
export function endpointKey(baseURL: string | undefined, model: string): string {
  return `${baseURL ?? 'https://api.anthropic.com'}#${model}`
}

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
}

type AttemptContext = { signal: AbortSignal; attempt: number }
interface Endpoint {
  breaker: CircuitBreakerPolicy
  lastFailure?: Failure
  policy: { execute<T>(fn: (context: AttemptContext) => Promise<T>, signal?: AbortSignal): Promise<T> }
}

export function createLlmPolicies({ timeoutMs, retry: retryOptions, breaker, events }: LlmPolicyOptions): LlmPolicies {
  const emitter = events ?? createLlmEventEmitter()
  const counters = emptyPolicyCounters()
  const endpoints = new Map<string, Endpoint>()
  const timers = new Set<NodeJS.Timeout>()
  const maxRetryAfterMs = retryOptions.maxRetryAfterMs ?? 60_000
  const emit = (event: LlmEvent) => {
    // Retries, failures and breaker changes are events of the model-call span they happen in.
    if (event.type !== 'call' && event.type !== 'success') spanEvent(event)
    emitter.emit('event', event)
  }

  const shouldRetry = handleWhen((error) => {
    const failure = classifyFailure(error)
    if (!isTransient(failure)) return false
    return failure.retryAfterMs === undefined || failure.retryAfterMs <= maxRetryAfterMs
  })
  const countsAgainstBreaker = handleWhen((error) => isTransient(classifyFailure(error)))

  function endpointFor(key: string): Endpoint {
    const existing = endpoints.get(key)
    if (existing) return existing
    const retryPolicy = retry(shouldRetry, {
      maxAttempts: retryOptions.maxRetries,
      backoff: honourRetryAfter(
        new ExponentialBackoff({
          generator: halfJitterGenerator,
          initialDelay: retryOptions.initialDelayMs,
          maxDelay: retryOptions.maxDelayMs,
        }),
      ),
    })
    retryPolicy.onRetry((event) => {
      counters.retries++
      const retryAfterMs = 'error' in event ? classifyFailure(event.error).retryAfterMs : undefined
      emit({
        type: 'retry',
        endpoint: key,
        attempt: event.attempt,
        delayMs: event.delay,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      })
    })
    const breakerPolicy = circuitBreaker(countsAgainstBreaker, {
      halfOpenAfter: breaker.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(breaker.threshold),
    })
    breakerPolicy.onStateChange((state) => {
      counters.breakerTransitions++
      emit({ type: 'breaker', endpoint: key, state: BREAKER_STATES[state] })
      if (state === CircuitState.Open) announceCooldown(key, breakerPolicy)
    })
    const timeoutPolicy = timeout(timeoutMs, TimeoutStrategy.Aggressive)
    const policy = wrap(retryPolicy, breakerPolicy, timeoutPolicy)
    const endpoint = { breaker: breakerPolicy, policy }
    endpoints.set(key, endpoint)
    return endpoint
  }

  // cockatiel moves Open → HalfOpen lazily, on the next call; this timer only announces
  // that the next call will be a probe, so a paused agent (or a test) can wait for it.
  function announceCooldown(key: string, breakerPolicy: CircuitBreakerPolicy) {
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (breakerPolicy.state === CircuitState.Open) emit({ type: 'breaker-ready', endpoint: key })
    }, breaker.halfOpenAfterMs + 1)
    timer.unref()
    timers.add(timer)
  }

  return {
    timeoutMs,
    events: emitter,
    counters,
    async execute(key, call, signal) {
      const endpoint = endpointFor(key)
      try {
        return await endpoint.policy.execute(async ({ signal: attemptSignal, attempt: retries }) => {
          const attempt = retries + 1
          counters.calls++
          emit({ type: 'call', endpoint: key, attempt })
          const started = performance.now()
          try {
            const result = await call(attemptSignal)
            counters.successes++
            emit({ type: 'success', endpoint: key, attempt, durationMs: performance.now() - started })
            return result
          } catch (error) {
            // Our timeout aborts the request, so the SDK reports a user abort: call it a timeout.
            const timedOut = attemptSignal.aborted && !signal?.aborted
            const failure: Failure = timedOut ? { kind: 'timeout', message: `no answer within ${timeoutMs} ms` } : classifyFailure(error)
            endpoint.lastFailure = failure
            counters.failures++
            if (failure.kind === 'timeout') counters.timeouts++
            emit({
              type: 'failure',
              endpoint: key,
              attempt,
              kind: failure.kind,
              message: failure.message,
              ...(failure.status === undefined ? {} : { status: failure.status }),
            })
            throw error
          }
        }, signal)
      } catch (error) {
        if (isBrokenCircuitError(error)) {
          counters.fastFails++
          emit({ type: 'fast-fail', endpoint: key })
        }
        throw error
      }
    },
    breakerState(key) {
      return BREAKER_STATES[endpointFor(key).breaker.state]
    },
    lastFailure(key) {
      return endpoints.get(key)?.lastFailure
    },
    dispose() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}

/** Exponential backoff, except that a server-sent `retry-after` sets the delay exactly. */
function honourRetryAfter(inner: IBackoffFactory<unknown>): IBackoffFactory<IRetryBackoffContext<unknown>> {
  return {
    next(context) {
      const step = inner.next(context)
      const asked = 'error' in context.result ? classifyFailure(context.result.error).retryAfterMs : undefined
      return { duration: asked ?? step.duration, next: (later) => honourRetryAfter(step).next(later) }
    },
  }
}

/** Adds an LLM event to the active span (the model call it belongs to), without message text. */
function spanEvent(event: LlmEvent): void {
  const span = trace.getActiveSpan()
  if (!span?.isRecording()) return
  const attributes: Record<string, string | number> = {}
  for (const [key, value] of Object.entries(event)) {
    if (key === 'type' || key === 'message') continue
    if (typeof value === 'string' || typeof value === 'number') attributes[`polyphony.llm.${key}`] = value
  }
  span.addEvent(`llm.${event.type}`, attributes)
}
