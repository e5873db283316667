// Resilience of the LLM runner against a real HTTP fake: retry-after, backoff, timeouts,
// the per-endpoint circuit breaker, and both fallbacks. No sleeps: tests wait on events.
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  createLlmAgent,
  createLlmPolicies,
  createMemoryWorkspaceTools,
  type AgentStatus,
  type LlmAgentOptions,
  type LlmAgent,
  type LlmEvent,
  type LlmEventEmitter,
} from '../agents/llm/index.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'

const DOC = 'The Moon orbits the Earth every 27 days. Tides are caused mostly by wind.'
const tides = { doc: 'moon.md', quote: 'Tides are caused mostly by wind.', comment: 'The Moon and Sun cause tides.' }

let api: FakeMessagesApi
const agents: LlmAgent[] = []
beforeEach(async () => {
  api = await startFakeMessagesApi()
})
afterEach(async () => {
  for (const agent of agents.splice(0)) agent.close()
  await api.close()
})

type Overrides = Partial<Pick<LlmAgentOptions, 'fallback' | 'model' | 'maxTurns'>> & {
  timeoutMs?: number
  retry?: Partial<{ maxRetries: number; initialDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number }>
  breaker?: Partial<{ threshold: number; halfOpenAfterMs: number }>
}

function setup(overrides: Overrides = {}) {
  const tools = createMemoryWorkspaceTools({ author: 'reviewer-1', documents: { 'moon.md': DOC } })
  const statuses: AgentStatus[] = []
  const events: LlmEvent[] = []
  const agent = createLlmAgent({
    role: 'reviewer',
    model: overrides.model ?? 'claude-test',
    apiKey: 'test-key',
    baseURL: api.url,
    maxTurns: overrides.maxTurns ?? 4,
    maxTokens: 512,
    timeoutMs: overrides.timeoutMs ?? 5_000,
    retry: { maxRetries: 3, initialDelayMs: 2, maxDelayMs: 50, ...overrides.retry },
    breaker: { threshold: 10, halfOpenAfterMs: 5_000, ...overrides.breaker },
    tools,
    onStatus: (status) => statuses.push(status),
    ...(overrides.fallback === undefined ? {} : { fallback: overrides.fallback }),
  })
  agents.push(agent)
  agent.events.on('event', (event) => events.push(event))
  return { agent, tools, statuses, events }
}

function nextEvent<T extends LlmEvent['type']>(
  emitter: LlmEventEmitter,
  type: T,
  match: (event: Extract<LlmEvent, { type: T }>) => boolean = () => true,
): Promise<Extract<LlmEvent, { type: T }>> {
  return new Promise((resolve) => {
    const listener = (event: LlmEvent) => {
      if (event.type !== type || !match(event as Extract<LlmEvent, { type: T }>)) return
      emitter.off('event', listener)
      resolve(event as Extract<LlmEvent, { type: T }>)
    }
    emitter.on('event', listener)
  })
}

async function warmUp(agent: LlmAgent) {
  api.script(step.text('warm'))
  expect((await agent.reviewDocument('moon.md')).outcome).toBe('completed')
}

const gap = (i: number) => api.requests[i + 1]!.at - api.requests[i]!.at
const ofType = <T extends LlmEvent['type']>(events: LlmEvent[], type: T) => events.filter((e): e is Extract<LlmEvent, { type: T }> => e.type === type)

describe('retries', () => {
  test('429 with retry-after (seconds) is retried no sooner than the server asked', async () => {
    const { agent, events } = setup({ retry: { initialDelayMs: 1, maxDelayMs: 5 } })
    api.script(step.rateLimited({ 'retry-after': '0.2' }), step.text('ok'))
    const result = await agent.reviewDocument('moon.md')
    expect(result.outcome).toBe('completed')
    expect(api.requests).toHaveLength(2)
    expect(gap(0)).toBeGreaterThanOrEqual(200)
    expect(ofType(events, 'retry')).toEqual([expect.objectContaining({ attempt: 1, delayMs: 200, retryAfterMs: 200 })])
    expect(ofType(events, 'failure')[0]).toMatchObject({ kind: 'rate-limited', status: 429 })
  })

  test('429 with retry-after-ms is honoured', async () => {
    const { agent, events } = setup({ retry: { initialDelayMs: 1, maxDelayMs: 5 } })
    api.script(step.rateLimited({ 'retry-after-ms': '150' }), step.text('ok'))
    const result = await agent.reviewDocument('moon.md')
    expect(result.outcome).toBe('completed')
    expect(gap(0)).toBeGreaterThanOrEqual(150)
    expect(ofType(events, 'retry')[0]).toMatchObject({ delayMs: 150, retryAfterMs: 150 })
  })

  test('a retry-after beyond maxRetryAfterMs is not waited for: the agent pauses', async () => {
    const { agent } = setup({ retry: { maxRetryAfterMs: 1_000 } })
    api.script(step.rateLimited({ 'retry-after': '120' }))
    const result = await agent.reviewDocument('moon.md')
    expect(api.requests).toHaveLength(1)
    expect(result.outcome).toBe('paused')
    expect(agent.status.detail).toMatch(/rate limited \(HTTP 429\); the server asked to wait 120 s/)
  })

  test('529 overloaded is retried with growing, jittered exponential backoff', async () => {
    const { agent, events } = setup({ retry: { initialDelayMs: 40, maxDelayMs: 1_000 } })
    api.script(step.overloaded(), step.overloaded(), step.text('ok'))
    const result = await agent.reviewDocument('moon.md')
    expect(result.outcome).toBe('completed')
    const delays = ofType(events, 'retry').map((e) => e.delayMs)
    expect(delays).toHaveLength(2)
    // Half jitter: the n-th delay is in [d/2, d) with d = 40 · 2^(n-1).
    expect(delays[0]).toBeGreaterThanOrEqual(20)
    expect(delays[0]).toBeLessThan(40)
    expect(delays[1]).toBeGreaterThanOrEqual(40)
    expect(delays[1]).toBeLessThan(80)
    expect(gap(0)).toBeGreaterThanOrEqual(delays[0]!)
    expect(gap(1)).toBeGreaterThanOrEqual(delays[1]!)
    expect(agent.policies.counters).toMatchObject({ calls: 3, failures: 2, retries: 2, successes: 1 })
    expect(ofType(events, 'call').map((e) => e.attempt)).toEqual([1, 2, 3])
    expect(ofType(events, 'failure')).toEqual([
      expect.objectContaining({ attempt: 1, kind: 'overloaded', status: 529 }),
      expect.objectContaining({ attempt: 2, kind: 'overloaded', status: 529 }),
    ])
  })

  test('500 and 503 are retried; 401 and 404 are not', async () => {
    const { agent } = setup()
    api.script(step.serverError(500), step.serverError(503), step.text('ok'))
    expect((await agent.reviewDocument('moon.md')).outcome).toBe('completed')
    expect(api.requests).toHaveLength(3)
    for (const [status, type] of [
      [401, 'authentication_error'],
      [404, 'not_found_error'],
    ] as const) {
      const before = api.requests.length
      api.script(step.error(status, type))
      const result = await agent.reviewDocument('moon.md')
      expect(result.outcome).toBe('failed')
      expect(api.requests.length - before).toBe(1)
    }
  })

  test('a call that hangs past the timeout is aborted (the connection closes) and retried', async () => {
    const { agent, events } = setup({ timeoutMs: 200 })
    await warmUp(agent) // the first request pays for lazy loading of fetch; keep it out of the 200 ms
    const callStarts: number[] = []
    agent.events.on('event', (e) => void (e.type === 'call' && callStarts.push(performance.now())))
    api.script(step.hang(), step.text('ok'))
    const result = await agent.reviewDocument('moon.md')
    expect(result.outcome).toBe('completed')
    expect(api.requests.map((r) => r.served)).toEqual(['message', 'hang', 'message'])
    expect(callStarts[1]! - callStarts[0]!).toBeGreaterThanOrEqual(200)
    await api.waitForAbort(1) // the hung request was closed by the client, not leaked
    expect(api.requests[1]!.abortedAt! - callStarts[0]!).toBeGreaterThanOrEqual(200)
    expect(ofType(events, 'failure')[0]).toMatchObject({ kind: 'timeout' })
    expect(agent.policies.counters.timeouts).toBe(1)
  })

  test('cancelling a review aborts the in-flight call without retrying', async () => {
    const { agent } = setup({ timeoutMs: 10_000 })
    api.script(step.hang())
    const controller = new AbortController()
    const review = agent.reviewDocument('moon.md', { signal: controller.signal })
    await api.waitForRequests(1)
    controller.abort()
    const result = await review
    expect(result.outcome).toBe('cancelled')
    await api.waitForAbort(0)
    expect(api.requests).toHaveLength(1)
  })
})

describe('circuit breaker and fallback', () => {
  test('opens after N failures, fails fast without calling the server, then half-opens and recovers', async () => {
    const { agent, events, statuses } = setup({
      retry: { maxRetries: 5, initialDelayMs: 1, maxDelayMs: 2 },
      breaker: { threshold: 3, halfOpenAfterMs: 500 },
    })
    const ready = nextEvent(agent.events, 'breaker-ready')
    api.script(step.serverError(500), step.serverError(502), step.serverError(503))

    const first = await agent.reviewDocument('moon.md')
    expect(api.requests).toHaveLength(3) // the 4th attempt was refused by the open breaker
    expect(first.outcome).toBe('paused')
    expect(agent.policies.breakerState(agent.endpoint)).toBe('open')
    expect(agent.status.state).toBe('paused')
    expect(agent.status.detail).toMatch(/circuit breaker is open.*last failure: .*HTTP 503/)
    expect(statuses.at(-1)).toEqual(agent.status)

    const second = await agent.reviewDocument('moon.md')
    expect(second.outcome).toBe('paused')
    expect(api.requests).toHaveLength(3) // failed fast
    expect(agent.policies.counters.fastFails).toBe(2)

    await ready
    api.script(step.toolUse({ name: 'annotate', input: tides }), step.text('recovered'))
    const third = await agent.reviewDocument('moon.md')
    expect(third.outcome).toBe('completed')
    expect(api.requests).toHaveLength(5)
    expect(ofType(events, 'breaker').map((e) => e.state)).toEqual(['open', 'half-open', 'closed'])
    expect(agent.status.state).toBe('idle')
  })

  test('a failed half-open probe opens the breaker again', async () => {
    const { agent, events } = setup({
      retry: { maxRetries: 0 },
      breaker: { threshold: 1, halfOpenAfterMs: 100 },
    })
    const ready = nextEvent(agent.events, 'breaker-ready')
    api.script(step.overloaded())
    expect((await agent.reviewDocument('moon.md')).outcome).toBe('paused')
    await ready
    api.script(step.overloaded())
    expect((await agent.reviewDocument('moon.md')).outcome).toBe('paused')
    expect(api.requests).toHaveLength(2)
    expect(ofType(events, 'breaker').map((e) => e.state)).toEqual(['open', 'half-open', 'open'])
  })

  test('breakers are per model endpoint: one model failing does not stop another', async () => {
    const policies = createLlmPolicies({
      timeoutMs: 5_000,
      retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
      breaker: { threshold: 1, halfOpenAfterMs: 60_000 },
    })
    const tools = createMemoryWorkspaceTools({ author: 'a', documents: { 'moon.md': DOC } })
    const base = { role: 'reviewer', apiKey: 'k', baseURL: api.url, maxTurns: 2, maxTokens: 256, tools, policies } as const
    const fast = createLlmAgent({ ...base, model: 'model-a' })
    const other = createLlmAgent({ ...base, model: 'model-b', role: 'editor' })
    api.script(step.serverError(500))
    expect((await fast.reviewDocument('moon.md')).outcome).toBe('paused')
    expect((await fast.reviewDocument('moon.md')).outcome).toBe('paused')
    api.script(step.text('fine'))
    expect((await other.reviewDocument('moon.md')).outcome).toBe('completed')
    expect(api.requests.map((r) => r.body.model)).toEqual(['model-a', 'model-b'])
    expect(policies.breakerState(fast.endpoint)).toBe('open')
    expect(policies.breakerState(other.endpoint)).toBe('closed')
    policies.dispose()
  })

  test('when retries are exhausted the agent pauses with a readable reason, visible through onStatus', async () => {
    const { agent, statuses, events } = setup({ retry: { maxRetries: 2 } })
    api.script(step.overloaded(), step.overloaded(), step.overloaded())
    const result = await agent.reviewDocument('moon.md')
    expect(api.requests).toHaveLength(3)
    expect(result.outcome).toBe('paused')
    expect(result.reason).toBe('claude-test is overloaded (HTTP 529)')
    expect(statuses.at(-1)).toEqual({
      state: 'paused',
      detail: 'claude-test is overloaded (HTTP 529). Paused; the next review will try again.',
    })
    expect(ofType(events, 'fallback')).toEqual([expect.objectContaining({ mode: 'pause' })])
    expect(agent.counters.fallbacks).toBe(1)
  })

  test('with an offline reviewer, the fallback reviews the same text without the model', async () => {
    const reviewed: Array<{ text: string; doc: string }> = []
    const { agent, statuses } = setup({
      retry: { maxRetries: 1 },
      timeoutMs: 200,
      fallback: { review: async (text, doc) => void reviewed.push({ text, doc }) },
    })
    await warmUp(agent)
    api.script(step.hang(), step.serverError(500))
    const result = await agent.reviewDocument('moon.md')
    expect(result.outcome).toBe('offline')
    expect(reviewed).toEqual([{ text: DOC, doc: 'moon.md' }])
    expect(agent.status.state).toBe('idle')
    expect(agent.status.detail).toMatch(/reviewed moon.md offline \(claude-test returned a server error \(HTTP 500\)\)/)
    expect(statuses.some((s) => s.state === 'paused')).toBe(false)
    await api.waitForAbort(1)
  })
})
