// [work] Co-editing: an LLM agent (the SDK agent's tools behind the Messages API runner, the
// model played by the fake API) and a person (a stock y-websocket client) edit the same
// paragraph at once. Edits by quote land on exactly one occurrence (shared/anchoring/
// locateQuote.ts), are attributed to the agent, and pass the conflict detector: different words
// both survive; the same words edited by both are recorded as a conflict.

import { afterEach, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import type { Agent } from '../agents/index.ts'
import type { LlmAgent } from '../agents/llm/index.ts'
import { testLlmAgent } from './helpers/llmAgent.ts'
import { workspaceToolsFor } from '../agents/runtime/index.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { connectTestAgent } from './helpers/agents.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import { PARAGRAPH_2, REVIEW_DOC, REVIEW_TEXT } from './fixtures/agents-text.ts'

let server: TestServer | undefined
let api: FakeMessagesApi | undefined
const agents: Agent[] = []
const llms: LlmAgent[] = []
const stock: StockClient[] = []
afterEach(async () => {
  for (const l of llms.splice(0)) l.close()
  for (const a of agents.splice(0)) a.close()
  for (const c of stock.splice(0)) c.destroy()
  await api?.close()
  await server?.close()
  api = server = undefined
})

function llmFor(agent: Agent, fake: FakeMessagesApi): LlmAgent {
  const llm = testLlmAgent(fake, { role: 'editor', name: agent.principal.id, maxTurns: 6, tools: workspaceToolsFor(agent) })
  llms.push(llm)
  return llm
}

/** agent-a (an editor) holds the review text; alice (a person, stock client) has it too. */
async function setup() {
  server = await startTestServer()
  api = await startFakeMessagesApi()
  const agent = await connectTestAgent(server, 'agent-a', { role: 'editor' })
  agents.push(agent)
  agent.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await agent.flushed()
  const alice = connectStock(server.wsUrl, 'w1/shared', 'alice')
  stock.push(alice)
  await synced(alice)
  await waitFor(() => aliceText(alice)?.toString() === REVIEW_TEXT, 'alice to get the text')
  return { server, api, agent, alice, llm: llmFor(agent, api) }
}

const aliceText = (alice: StockClient) => alice.doc.getMap('docs').get(REVIEW_DOC) as Y.Text | undefined

/** Alice replaces `quote` while offline (a person typing on a train). */
function aliceReplacesOffline(alice: StockClient, quote: string, replacement: string): void {
  alice.provider.disconnect()
  const t = aliceText(alice)!
  const at = t.toString().indexOf(quote)
  alice.doc.transact(() => {
    t.delete(at, quote.length)
    t.insert(at, replacement)
  })
}

async function reconnect(alice: StockClient, agent: Agent): Promise<string> {
  alice.provider.connect()
  await synced(alice)
  await waitFor(() => aliceText(alice)!.toString() === agent.read(REVIEW_DOC), 'alice and the agent to converge')
  await (await server!.core.room('w1/shared')).drain()
  return agent.read(REVIEW_DOC)
}

async function openConflicts(s: TestServer): Promise<ConflictRecord[]> {
  const res = await httpJson<{ conflicts: ConflictRecord[] }>(`${s.url}/api/workspaces/w1/conflicts?status=open`, { token: token('alice') })
  return res.json.conflicts
}

describe('an LLM agent and a person edit the same paragraph', () => {
  it('different words of one paragraph: both edits survive, each attributed to its writer, and no conflict is recorded', async () => {
    const { server, api, agent, alice, llm } = await setup()
    aliceReplacesOffline(alice, 'a small team', 'a team of four')
    api.script(step.toolUse({ name: 'replace_text', input: { doc: REVIEW_DOC, quote: 'in order to reduce', replacement: 'so as to cut' } }), step.text('Tightened one phrase.'))
    const result = await llm.reviewDocument(REVIEW_DOC)
    expect(result).toMatchObject({ outcome: 'completed', rejectedToolCalls: 0 })
    expect(result.writes.map((w) => w.tool)).toEqual(['replace_text'])
    await agent.flushed()
    const merged = await reconnect(alice, agent)
    expect(merged).toContain('built by a team of four so as to cut latency by 40%')
    expect(await openConflicts(server)).toEqual([])
    const blame = await httpJson<{ runs: Array<{ text: string; principal: string }> }>(`${server.url}/api/workspaces/w1/docs/${encodeURIComponent(REVIEW_DOC)}/blame`, {
      token: token('alice'),
    })
    expect(blame.status).toBe(200)
    const by = (words: string) => blame.json.runs.find((r) => r.text.includes(words))?.principal
    expect(by('so as to cut')).toBe('agent-a')
    expect(by('team of four')).toBe('alice')
  })

  it('the same words edited by both: a real overlap is recorded as a conflict naming the person and the agent', async () => {
    const { server, api, agent, alice, llm } = await setup()
    aliceReplacesOffline(alice, 'always faster', 'usually faster')
    api.script(
      step.toolUse({ name: 'replace_text', input: { doc: REVIEW_DOC, quote: 'always faster', replacement: 'faster on our benchmarks' } }),
      step.text('Softened an overclaim.'),
    )
    expect((await llm.reviewDocument(REVIEW_DOC)).writes.map((w) => w.tool)).toEqual(['replace_text'])
    await agent.flushed()
    await reconnect(alice, agent)
    let conflict: ConflictRecord | undefined
    await waitFor(async () => (conflict = (await openConflicts(server)).find((c) => c.kind === 'overlapping-text-edit')) !== undefined, 'the overlap to be recorded')
    expect(conflict!.parties.map((p) => p.principal)).toEqual(['agent-a', 'alice'])
    expect(conflict!.location).toMatchObject({ kind: 'text', doc: REVIEW_DOC, text: expect.stringContaining('always') })
    expect(conflict!.parties.map((p) => p.value)).toEqual([expect.stringContaining('on our benchmarks'), expect.stringContaining('usually')])
  })

  it('an ambiguous quote is refused with candidates and nothing changes; the model repeats it with a suffix and the edit lands once', async () => {
    const { api, agent, alice, llm } = await setup()
    api.script(
      step.toolUse(
        { name: 'replace_text', input: { doc: REVIEW_DOC, quote: 'we deploy it to', replacement: 'we roll it out to' } },
        { name: 'insert_text', input: { doc: REVIEW_DOC, quote: 'words nowhere in the text', position: 'after', text: '!' } },
      ),
      step.toolUse({ name: 'replace_text', input: { doc: REVIEW_DOC, quote: 'we deploy it to', suffix: ' all', replacement: 'we roll it out to' } }),
      step.text('Done.'),
    )
    const result = await llm.reviewDocument(REVIEW_DOC)
    expect(result).toMatchObject({ outcome: 'completed', rejectedToolCalls: 2 })
    const replies = api.requests[1]!.body.messages.at(-1).content as Array<{ is_error?: boolean; content: string }>
    expect(replies.map((r) => r.is_error)).toEqual([true, true])
    const ambiguous = JSON.parse(replies[0]!.content) as { reason: string; error: string; candidates: Array<{ start: number; after: string }> }
    expect(ambiguous.reason).toBe('ambiguous')
    expect(ambiguous.error).toMatch(/occurs 2 times.*prefix and\/or suffix/)
    expect(ambiguous.candidates.map((c) => c.after.slice(0, 4))).toEqual([' one', ' all'])
    expect(JSON.parse(replies[1]!.content)).toMatchObject({ reason: 'missing' })
    await agent.flushed()
    const expected = REVIEW_TEXT.replace(PARAGRAPH_2, PARAGRAPH_2.replace('we deploy it to all', 'we roll it out to all'))
    expect(agent.read(REVIEW_DOC)).toBe(expected)
    await waitFor(() => aliceText(alice)!.toString() === expected, 'alice to see the one edit')
  })

  it('an agent that may not edit shared text is told so and writes nothing', async () => {
    server = await startTestServer()
    api = await startFakeMessagesApi()
    const owner = await connectTestAgent(server, 'agent-a')
    agents.push(owner)
    owner.createDocument(REVIEW_DOC, REVIEW_TEXT)
    await owner.flushed()
    const reviewer = await connectTestAgent(server, 'rita')
    agents.push(reviewer)
    const llm = llmFor(reviewer, api)
    api.script(step.toolUse({ name: 'replace_text', input: { doc: REVIEW_DOC, quote: 'always faster', replacement: 'faster' } }), step.text('Could not.'))
    expect(await llm.reviewDocument(REVIEW_DOC)).toMatchObject({ rejectedToolCalls: 1, writes: [] })
    const reply = api.requests[1]!.body.messages.at(-1).content[0] as { content: string }
    expect(JSON.parse(reply.content)).toMatchObject({ reason: 'forbidden', error: expect.stringMatching(/role reviewer may not edit.*propose_edit/) })
    expect(reviewer.read(REVIEW_DOC)).toBe(REVIEW_TEXT)
  })
})
