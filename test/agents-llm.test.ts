// [agents] An LLM agent through the real server: the SDK agent's workspace tools behind the
// Messages API runner, the model played by a local fake. What the model's tool calls write
// must arrive in the agent's namespace on the server exactly once; bad tool input never
// arrives; an unavailable model pauses the agent visibly, or hands over to a heuristic.

import { describe, expect, it } from 'vitest'
import type { Agent } from '../agents/index.ts'
import { createLlmAgent, type FallbackOption, type LlmEvent } from '../agents/llm/index.ts'
import { heuristicFallback, workspaceToolsFor } from '../agents/runtime/index.ts'
import { clarityReviewer } from '../agents/reviewers/index.ts'
import type { TestServer } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced } from './helpers/clients.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { waitFor } from './helpers/wait.ts'
import { REVIEW_DOC, REVIEW_TEXT, storedAnnotations } from './fixtures/agents-text.ts'

let api: FakeMessagesApi | undefined
const t = useHarness()

type Policy = { fallback?: (agent: Agent) => FallbackOption; timeoutMs?: number; maxRetries?: number; threshold?: number; halfOpenAfterMs?: number }

/** agent-a attached to w1 with the review text, and an LLM runner writing through it. */
async function setup(policy: Policy = {}) {
  const server = await t.start()
  api = t.own(await startFakeMessagesApi())
  const agent = await t.agent('agent-a')
  agent.createDocument(REVIEW_DOC, REVIEW_TEXT)
  const llm = createLlmAgent({
    role: 'reviewer',
    name: 'agent-a',
    model: 'claude-test',
    apiKey: 'test-key',
    baseURL: api.url,
    maxTurns: 6,
    maxTokens: 1024,
    timeoutMs: policy.timeoutMs ?? 5_000,
    retry: { maxRetries: policy.maxRetries ?? 3, initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
    breaker: { threshold: policy.threshold ?? 10, halfOpenAfterMs: policy.halfOpenAfterMs ?? 60_000 },
    tools: workspaceToolsFor(agent),
    onStatus: (s) => agent.setStatus(s.state, s.detail, REVIEW_DOC),
    fallback: policy.fallback?.(agent) ?? 'pause',
  })
  t.own(llm)
  const events: LlmEvent[] = []
  llm.events.on('event', (e) => events.push(e))
  return { server, api, agent, llm, events }
}

/** What the server itself holds in agent-a's namespace. */
async function serverAnnotations(s: TestServer) {
  const room = await s.core.room('w1/ns/agent-a')
  return storedAnnotations(room.doc.getMap('annotations'))
}

const always = { doc: REVIEW_DOC, quote: 'always faster', label: 'overclaim', comment: 'Faster on which workloads?', severity: 'warning' }
const experts = { doc: REVIEW_DOC, quote: 'Most experts agree', label: 'unsupported', comment: 'Which experts? Cite them.' }

describe('LLM agent through the server', () => {
  it('tool_use turns write annotations and a proposal into the agent namespace on the server', async () => {
    const { server, api, agent, llm } = await setup()
    api.script(
      step.toolUse({ name: 'read_document', input: { doc: REVIEW_DOC } }),
      step.toolUse({ name: 'annotate', input: always }, { name: 'annotate', input: experts }),
      step.toolUse({
        name: 'propose_edit',
        input: { doc: REVIEW_DOC, quote: 'in order to reduce', replacement: 'to reduce', rationale: 'Shorter.' },
      }),
      step.text('Two unsupported claims and one wordy phrase.'),
    )
    const result = await llm.reviewDocument(REVIEW_DOC)
    expect(result).toMatchObject({ outcome: 'completed', turns: 4, rejectedToolCalls: 0 })
    expect(result.writes.map((w) => [w.tool, w.created])).toEqual([
      ['annotate', true],
      ['annotate', true],
      ['propose_edit', true],
    ])
    // The model saw the document through read_document (the tool result carries the text).
    expect(JSON.stringify(api.requests[1]!.body.messages)).toContain('Most experts agree this is the best design')
    await agent.flushed()

    const stored = await serverAnnotations(server)
    expect(stored.map((a) => [a.author, a.doc, a.target.quote.exact, a.body.label]).sort()).toEqual([
      ['agent-a', REVIEW_DOC, 'Most experts agree', 'unsupported'],
      ['agent-a', REVIEW_DOC, 'always faster', 'overclaim'],
    ])
    const proposals = (await server.core.room('w1/ns/agent-a')).doc.getMap('proposals')
    expect(proposals.size).toBe(1)
    expect(llm.counters).toMatchObject({ writes: 3, duplicateWrites: 0 })
  })

  it('a call retried after 429 + retry-after repeats the same tool_use without duplicating it', async () => {
    const { server, api, agent, llm, events } = await setup()
    api.script(
      step.toolUse({ name: 'annotate', input: always }),
      step.rateLimited({ 'retry-after-ms': '200' }),
      // The retried turn answers with the same call again (a model repeating itself).
      step.toolUse({ name: 'annotate', input: always }),
      step.text('Done.'),
    )
    const result = await llm.reviewDocument(REVIEW_DOC)
    expect(result.outcome).toBe('completed')
    expect(result.writes.map((w) => w.created)).toEqual([true, false])
    expect(new Set(result.writes.map((w) => w.id)).size).toBe(1)
    // The retry waited as long as the server asked.
    const retry = events.find((e) => e.type === 'retry')
    expect(retry).toMatchObject({ retryAfterMs: 200, delayMs: 200 })
    expect(api.requests[2]!.at - api.requests[1]!.at).toBeGreaterThanOrEqual(195)

    // A whole re-run (a restarted agent) writes nothing new either.
    api.script(step.toolUse({ name: 'annotate', input: always }), step.text('Done again.'))
    const again = await llm.reviewDocument(REVIEW_DOC)
    expect(again.writes).toEqual([{ tool: 'annotate', id: result.writes[0]!.id, created: false }])
    await agent.flushed()
    const stored = await serverAnnotations(server)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.target.quote.exact).toBe('always faster')
  })

  it('malformed tool input is rejected by schema, reported to the model, and never written', async () => {
    const { server, api, agent, llm, events } = await setup()
    api.script(
      step.toolUse(
        { name: 'annotate', input: { doc: REVIEW_DOC, quote: 'always faster', comment: 42 } },
        { name: 'annotate', input: { doc: REVIEW_DOC, quote: 'always faster', comment: 'ok', color: 'red' } },
        { name: 'annotate', input: { doc: REVIEW_DOC, quote: 'words that are not in the text', comment: 'invented' } },
        { name: 'propose_edit', input: { doc: REVIEW_DOC, quote: 'always faster' } },
        { name: 'delete_everything', input: {} },
      ),
      step.text('Sorry.'),
    )
    const result = await llm.reviewDocument(REVIEW_DOC)
    expect(result).toMatchObject({ outcome: 'completed', rejectedToolCalls: 5, writes: [] })
    const replies = api.requests[1]!.body.messages[2].content as Array<{ is_error?: boolean; content: string }>
    expect(replies).toHaveLength(5)
    expect(replies.every((r) => r.is_error === true)).toBe(true)
    expect(replies[2]!.content).toMatch(/does not occur verbatim/)
    expect(events.filter((e) => e.type === 'tool' && e.outcome === 'rejected')).toHaveLength(5)
    await agent.flushed()
    expect(await serverAnnotations(server)).toEqual([])
    expect((await server.core.room('w1/ns/agent-a')).doc.getMap('proposals').size).toBe(0)
  })

  it('529s open the breaker; the agent pauses and another client sees "paused" with the reason; it recovers', async () => {
    const { server, api, agent, llm, events } = await setup({ maxRetries: 5, threshold: 3, halfOpenAfterMs: 300 })
    const alice = t.stock('w1/shared', 'alice')
    await synced(alice)
    const statusAtAlice = () => (alice.provider.awareness.getStates().get(agent.shared.clientID) as { status?: { state: string; detail?: string } } | undefined)?.status

    api.script(step.overloaded(), step.overloaded(), step.overloaded())
    const result = await llm.reviewDocument(REVIEW_DOC)
    expect(result.outcome).toBe('paused')
    // The breaker opened after 3 failures: the 4th attempt failed fast, without the network.
    expect(api.requests).toHaveLength(3)
    expect(llm.policies.breakerState(llm.endpoint)).toBe('open')
    expect(events.some((e) => e.type === 'fast-fail')).toBe(true)
    await waitFor(() => statusAtAlice()?.state === 'paused', 'paused status at alice')
    expect(statusAtAlice()!.detail).toMatch(/circuit breaker is open/)
    expect(statusAtAlice()!.detail).toMatch(/overloaded \(HTTP 529\)/)

    // After the cooldown a probe goes through and the agent works again, visibly.
    await waitFor(() => events.some((e) => e.type === 'breaker-ready'), 'breaker cooldown')
    api.script(step.toolUse({ name: 'annotate', input: experts }), step.text('Back.'))
    const recovered = await llm.reviewDocument(REVIEW_DOC)
    expect(recovered.outcome).toBe('completed')
    expect(llm.policies.breakerState(llm.endpoint)).toBe('closed')
    await waitFor(() => statusAtAlice()?.state === 'idle', 'idle status at alice')
    await agent.flushed()
    expect((await serverAnnotations(server)).map((a) => a.target.quote.exact)).toEqual(['Most experts agree'])
  })

  it('falls back to a heuristic reviewer that writes its annotations when the model is unavailable', async () => {
    const { server, api, agent, llm } = await setup({ maxRetries: 1, fallback: (a) => heuristicFallback(a, clarityReviewer) })
    api.script(step.serverError(500), step.overloaded())
    const result = await llm.reviewDocument(REVIEW_DOC)
    expect(result.outcome).toBe('offline')
    expect(result.reason).toMatch(/overloaded/)
    expect(api.requests).toHaveLength(2)
    await agent.flushed()
    const expected = clarityReviewer.review(REVIEW_TEXT)
    expect(expected.length).toBeGreaterThan(0)
    const stored = await serverAnnotations(server)
    expect(stored.map((a) => a.body.label).sort()).toEqual(expected.map((f) => f.label).sort())
    expect(stored.map((a) => a.target.quote.exact).sort()).toEqual(expected.map((f) => REVIEW_TEXT.slice(f.start, f.end)).sort())
  })
})
