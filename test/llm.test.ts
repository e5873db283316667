// The tool-use loop against a real HTTP fake of the Messages API: writes reach the workspace,
// malformed model output never does, and repeated writes are deduplicated by id.
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createLlmAgent, createMemoryWorkspaceTools, type AgentStatus, type LlmAgent, type LlmEvent } from '../agents/llm/index.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'

const DOC = 'The Moon orbits the Earth every 27 days. Tides are caused mostly by wind. The Moon is 384,400 km away.'

let api: FakeMessagesApi
let agent: LlmAgent | undefined
beforeEach(async () => {
  api = await startFakeMessagesApi()
})
afterEach(async () => {
  agent?.close()
  agent = undefined
  await api.close()
})

function setup() {
  const tools = createMemoryWorkspaceTools({ author: 'reviewer-1', documents: { 'moon.md': DOC, 'notes.md': 'x' } })
  const statuses: AgentStatus[] = []
  const events: LlmEvent[] = []
  agent = createLlmAgent({
    role: 'fact-checker',
    model: 'claude-test',
    apiKey: 'test-key',
    baseURL: api.url,
    maxTurns: 5,
    maxTokens: 1024,
    timeoutMs: 5_000,
    retry: { maxRetries: 3, initialDelayMs: 2, maxDelayMs: 20 },
    breaker: { threshold: 10, halfOpenAfterMs: 1_000 },
    tools,
    onStatus: (status) => statuses.push(status),
  })
  agent.events.on('event', (event) => events.push(event))
  return { agent, tools, statuses, events }
}

const tides = { doc: 'moon.md', quote: 'Tides are caused mostly by wind.', comment: 'Tides are caused by the Moon and Sun.', severity: 'warning' }
const orbit = { doc: 'moon.md', quote: 'every 27 days', comment: 'Sidereal 27.3 days; synodic 29.5.', label: 'precision' }

describe('LLM agent tool-use loop', () => {
  test('runs tool_use turns until end_turn and writes the annotations and proposal', async () => {
    const { agent, tools, statuses } = setup()
    api.script(
      { ...step.toolUse({ name: 'annotate', input: tides }, { name: 'annotate', input: orbit }), usage: { input_tokens: 100, output_tokens: 40 } },
      {
        ...step.toolUse({
          name: 'propose_edit',
          input: { doc: 'moon.md', quote: 'mostly by wind', replacement: 'mostly by the Moon', rationale: 'Factual error.' },
        }),
        usage: { input_tokens: 150, output_tokens: 30 },
      },
      { ...step.text('Two factual problems found.'), usage: { input_tokens: 200, output_tokens: 10 } },
    )
    const result = await agent.reviewDocument('moon.md')

    expect(result).toMatchObject({ outcome: 'completed', turns: 3, inputTokens: 450, outputTokens: 80, rejectedToolCalls: 0 })
    expect(result.finalText).toBe('Two factual problems found.')
    expect(tools.writes.map((w) => w.kind)).toEqual(['annotation', 'annotation', 'proposal'])
    expect(tools.writes[0]!.input).toEqual(tides)
    expect(agent.counters).toMatchObject({ turns: 3, inputTokens: 450, outputTokens: 80, writes: 3, toolCalls: 3 })

    // The requests carry the role's system prompt, the tool definitions and the tool results.
    expect(api.requests).toHaveLength(3)
    const first = api.requests[0]!.body
    expect(first.system).toMatch(/fact-checker/)
    expect(first.messages[0].content).toContain(DOC)
    const annotate = first.tools.find((t: { name: string }) => t.name === 'annotate')
    expect(annotate.input_schema).toMatchObject({ type: 'object', required: ['doc', 'quote', 'comment'] })
    expect(first.tools.map((t: { name: string }) => t.name)).not.toContain('claim_task')
    const second = api.requests[1]!.body.messages
    expect(second).toHaveLength(3)
    const results = second[2].content
    expect(results.map((r: { tool_use_id: string }) => r.tool_use_id)).toEqual(second[1].content.map((b: { id: string }) => b.id))
    expect(results.every((r: { is_error?: boolean }) => r.is_error === undefined)).toBe(true)

    const states = statuses.map((s) => s.state)
    expect(states[0]).toBe('reading')
    expect(states).toContain('thinking')
    expect(states).toContain('writing')
    expect(agent.status).toEqual({ state: 'idle', detail: 'reviewed moon.md' })
  })

  test('malformed tool input and unknown tools are rejected, reported to the model, counted, and never written', async () => {
    const { agent, tools, events } = setup()
    api.script(
      step.toolUse(
        { name: 'annotate', input: { doc: 'moon.md', quote: 'every 27 days' } }, // no comment
        { name: 'annotate', input: { ...orbit, severity: 'major' } }, // not an enum value
        { name: 'annotate', input: { ...orbit, extra: true } }, // unknown key
        { name: 'annotate', input: 'not an object' },
        { name: 'delete_document', input: { doc: 'moon.md' } }, // unknown tool
        { name: 'annotate', input: { ...orbit, quote: 'every 28 days' } }, // quote not in the text
        { name: 'propose_edit', input: { doc: 'missing.md', quote: 'a', replacement: 'b', rationale: 'c' } },
      ),
      step.text('done'),
    )
    const result = await agent.reviewDocument('moon.md')

    expect(result.outcome).toBe('completed')
    expect(tools.attempts).toEqual([])
    expect(result.rejectedToolCalls).toBe(7)
    expect(agent.counters.rejectedToolCalls).toBe(7)
    const replies = api.requests[1]!.body.messages[2].content
    expect(replies).toHaveLength(7)
    expect(replies.every((r: { is_error?: boolean }) => r.is_error === true)).toBe(true)
    expect(replies[0].content).toMatch(/comment/)
    expect(replies[4].content).toMatch(/Unknown tool "delete_document"/)
    expect(replies[5].content).toMatch(/does not occur verbatim/)
    const rejected = events.filter((e) => e.type === 'tool' && e.outcome === 'rejected')
    expect(rejected).toHaveLength(7)
  })

  test('a retried call does not produce duplicate annotations, nor does a restarted review', async () => {
    const { agent, tools } = setup()
    api.script(
      step.toolUse({ name: 'annotate', input: tides }),
      step.serverError(500),
      // The model repeats its first annotation along with a new one.
      step.toolUse({ name: 'annotate', input: tides }, { name: 'annotate', input: orbit }),
      step.text('done'),
    )
    const first = await agent.reviewDocument('moon.md')
    expect(first.outcome).toBe('completed')
    expect(api.requests).toHaveLength(4)
    // The retry resent exactly the same conversation.
    expect(api.requests[2]!.body).toEqual(api.requests[1]!.body)
    expect(tools.writes).toHaveLength(2)
    expect(tools.attempts).toHaveLength(3)
    expect(first.writes.map((w) => w.created)).toEqual([true, false, true])

    // A restarted agent that does the same work again creates nothing new.
    api.script(step.toolUse({ name: 'annotate', input: orbit }, { name: 'annotate', input: tides }), step.text('done'))
    const second = await agent.reviewDocument('moon.md')
    expect(second.writes.map((w) => w.created)).toEqual([false, false])
    expect(tools.writes).toHaveLength(2)
    expect(agent.counters).toMatchObject({ writes: 2, duplicateWrites: 3 })
    const duplicateReply = api.requests[5]!.body.messages[2].content[0]
    expect(JSON.parse(duplicateReply.content)).toMatchObject({ created: false })
  })

  test('read tools answer from the workspace and the loop stops at maxTurns', async () => {
    const { agent } = setup()
    const loop = Array.from({ length: 5 }, () => step.toolUse({ name: 'list_documents', input: {} }))
    api.script(step.toolUse({ name: 'read_document', input: { doc: 'notes.md' } }), ...loop)
    const result = await agent.reviewDocument('moon.md')
    expect(result.outcome).toBe('max-turns')
    expect(result.turns).toBe(5)
    expect(api.requests[1]!.body.messages[2].content[0]).toMatchObject({ content: 'x' })
    expect(JSON.parse(api.requests[2]!.body.messages[4].content[0].content)).toEqual([
      { id: 'moon.md', title: 'moon.md' },
      { id: 'notes.md', title: 'notes.md' },
    ])
    expect(api.remaining()).toBe(1)
  })

  test('a client error (400) is not retried and surfaces as an error status', async () => {
    const { agent } = setup()
    api.script(step.error(400, 'invalid_request_error', 'max_tokens: too large'))
    const result = await agent.reviewDocument('moon.md')
    expect(result.outcome).toBe('failed')
    expect(api.requests).toHaveLength(1)
    expect(agent.status.state).toBe('error')
    expect(agent.status.detail).toMatch(/HTTP 400/)
    expect(agent.policies.counters).toMatchObject({ calls: 1, retries: 0, failures: 1 })
  })
})
