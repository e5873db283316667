// [work] The arbiter: two writers conflict while offline (stock y-websocket clients, a real
// server); the arbiter (an SDK agent, with the model played by the fake Messages API, or the
// heuristic rule) proposes a resolution with its reasoning, stored beside the conflict. With
// approval required nothing changes until a person with resolve rights approves; with
// auto-apply for map keys the value is written and the conflict resolved, attributed to the
// arbiter. Bounds and refusals of the proposal API.

import { afterEach, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import type { Agent } from '../agents/index.ts'
import type { LlmAgent } from '../agents/llm/index.ts'
import { testLlmAgent } from './helpers/llmAgent.ts'
import { heuristicArbitrate, HEURISTIC_ARBITER, modelArbitrate, runArbiter, workspaceToolsFor, type ArbiterLoop } from '../agents/runtime/index.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { connectTestAgent } from './helpers/agents.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'

let server: TestServer | undefined
let api: FakeMessagesApi | undefined
const clients: StockClient[] = []
const agents: Agent[] = []
const loops: ArbiterLoop[] = []
const llms: LlmAgent[] = []
afterEach(async () => {
  await killAllCli()
  for (const l of loops.splice(0)) await l.stop()
  for (const l of llms.splice(0)) l.close()
  for (const a of agents.splice(0)) a.close()
  for (const c of clients.splice(0)) c.destroy()
  await api?.close()
  await server?.close()
  server = api = undefined
})

const status = (d: Y.Doc) => d.getMap('meta').get('status')

function call<T = Record<string, unknown>>(s: TestServer, who: string, method: string, path: string, body?: unknown) {
  return httpJson<T & { error?: { code: string; message: string } }>(`${s.url}/api/workspaces/${path}`, { method, token: token(who), body })
}

async function conflicts(s: TestServer, ws = 'w1', statusFilter = 'all'): Promise<ConflictRecord[]> {
  const res = await call<{ conflicts: ConflictRecord[] }>(s, 'alice', 'GET', `${ws}/conflicts?status=${statusFilter}`)
  expect(res.status).toBe(200)
  return res.json.conflicts
}

/** `a` and `b` (stock clients) set meta.status while both are offline: one map-key conflict. */
async function offlineConflict(s: TestServer, a: string, b: string, values: [string, string]): Promise<{ record: ConflictRecord; first: StockClient }> {
  const [ca, cb] = [a, b].map((who) => {
    const c = connectStock(s.wsUrl, 'w1/shared', who)
    clients.push(c)
    return c
  })
  await synced(ca, cb)
  ca.provider.disconnect()
  cb.provider.disconnect()
  ca.doc.getMap('meta').set('status', values[0])
  cb.doc.getMap('meta').set('status', values[1])
  ca.provider.connect()
  await synced(ca)
  cb.provider.connect()
  await synced(cb)
  await waitFor(() => status(ca.doc) === status(cb.doc), 'the writers to converge')
  let record: ConflictRecord | undefined
  await waitFor(async () => (record = (await conflicts(s, 'w1', 'open'))[0]) !== undefined, 'the conflict to be recorded')
  return { record: record!, first: ca }
}

async function arbiterAgent(s: TestServer): Promise<Agent> {
  const agent = await connectTestAgent(s, 'agent-a', { role: 'arbiter' })
  agents.push(agent)
  return agent
}

describe('arbiter', () => {
  it('the model arbiter proposes with its reasoning; nothing changes until a person approves; viewers and reviewers cannot approve', async () => {
    server = await startTestServer()
    api = await startFakeMessagesApi()
    const { record } = await offlineConflict(server, 'alice', 'bob', ['draft', 'final'])
    expect(record).toMatchObject({ kind: 'map-key-overwrite', location: { kind: 'map', path: ['meta', 'status'] } })
    const shared = (await server.core.room('w1/shared')).doc
    const standing = status(shared)
    const loser = record.parties.find((p) => p.value !== standing)!.principal
    const reasoning = `Both set the status; ${loser}'s value is the later stage of the document.`
    api.script(step.toolUse({ name: 'propose_resolution', input: { conflictId: record.id, choice: loser, reasoning } }), step.text('Proposed.'))

    const agent = await arbiterAgent(server)
    const llm = testLlmAgent(api, { role: 'arbiter', name: 'agent-a', tools: { ...workspaceToolsFor(agent), replaceText: undefined, insertText: undefined } })
    llms.push(llm)
    const loop = runArbiter(agent, modelArbitrate(agent, llm))
    loops.push(loop)
    await waitFor(async () => (await conflicts(server!))[0]?.proposals?.length === 1, 'the proposal to be stored beside the conflict')

    // The model saw the conflict and the tool; it may not edit text itself.
    const first = api.requests[0]!.body
    expect(JSON.stringify(first.messages)).toContain(record.id)
    const tools = (first.tools as Array<{ name: string }>).map((t) => t.name)
    expect(tools).toContain('propose_resolution')
    expect(tools).not.toContain('replace_text')

    const [proposed] = await conflicts(server)
    expect(proposed.status).toBe('open')
    expect(proposed.proposals).toEqual([{ by: 'agent-a', choice: loser, value: record.parties.find((p) => p.principal === loser)!.value, reasoning, at: expect.any(Number) }])
    expect(status(shared)).toBe(standing) // approval required (the default): nothing written

    // Approving is resolving: viewers and reviewers may not; the proposal stays.
    for (const who of ['vic', 'rita']) {
      const refused = await call(server, who, 'POST', `w1/conflicts/${record.id}/proposals/agent-a/approve`)
      expect(refused.status).toBe(403)
      expect(refused.json.error?.message).toMatch(/may not resolve/)
    }
    expect(status(shared)).toBe(standing)
    expect((await call(server, 'alice', 'POST', `w1/conflicts/${record.id}/proposals/nobody/approve`)).status).toBe(404)

    const approved = await call<ConflictRecord>(server, 'alice', 'POST', `w1/conflicts/${record.id}/proposals/agent-a/approve`)
    expect(approved.status).toBe(200)
    expect(approved.json).toMatchObject({ status: 'resolved', resolution: { by: 'alice', choice: loser, proposedBy: 'agent-a' } })
    expect(status(shared)).toBe(record.parties.find((p) => p.principal === loser)!.value)
    await waitFor(() => clients.every((c) => status(c.doc) === status(shared)), 'the writers to receive the resolution')
    expect((await call(server, 'alice', 'POST', `w1/conflicts/${record.id}/proposals/agent-a/approve`)).status).toBe(409)
    // The resolved conflict is not judged again.
    await loop.idle()
    expect(api.requests.length).toBe(2)
  })

  it('with auto-apply for map keys the heuristic arbiter writes its choice and the conflict is resolved, attributed to it; the setting is durable', async () => {
    server = await startTestServer()
    // Owners only; validated.
    expect((await call(server, 'bob', 'PUT', 'w1/settings', { arbiter: { autoApply: ['map-key-overwrite'] } })).status).toBe(403)
    const bad = await call(server, 'alice', 'PUT', 'w1/settings', { arbiter: { autoApply: ['claim-race'] } })
    expect(bad.status).toBe(400)
    expect(bad.json.error?.message).toMatch(/autoApply/)
    expect((await call(server, 'alice', 'GET', 'w1/settings')).json).toEqual({ arbiter: { autoApply: [] } })
    const set = await call(server, 'alice', 'PUT', 'w1/settings', { arbiter: { autoApply: ['map-key-overwrite'] } })
    expect(set.status).toBe(200)
    server = await server.restart()
    expect((await call(server, 'vic', 'GET', 'w1/settings')).json).toEqual({ arbiter: { autoApply: ['map-key-overwrite'] } })

    // The arbiter watches before the conflict happens: it learns of it from the event stream.
    const agent = await arbiterAgent(server)
    const loop = runArbiter(agent, heuristicArbitrate(agent))
    loops.push(loop)
    await loop.idle()
    const { record } = await offlineConflict(server, 'alice', 'agent-b', ['reviewed by a person', 'generated'])
    let resolved: ConflictRecord | undefined
    await waitFor(async () => (resolved = (await conflicts(server!))[0])?.status === 'resolved', 'the arbiter to apply its proposal')
    expect(resolved!.resolution).toMatchObject({ by: 'agent-a', choice: 'alice', proposedBy: 'agent-a', value: 'reviewed by a person' })
    expect(resolved!.proposals?.[0]?.reasoning).toContain(HEURISTIC_ARBITER)
    expect(resolved!.proposals?.[0]?.reasoning).toMatch(/only person/)
    const shared = (await server.core.room('w1/shared')).doc
    expect(status(shared)).toBe('reviewed by a person')
    await waitFor(() => clients.every((c) => status(c.doc) === 'reviewed by a person'), 'the writers to receive it')
    expect(record.id).toBe(resolved!.id)
  })

  it('text conflicts still wait for a person when only map keys may apply themselves', async () => {
    server = await startTestServer()
    await call(server, 'alice', 'PUT', 'w1/settings', { arbiter: { autoApply: ['map-key-overwrite'] } })
    const alice = connectStock(server.wsUrl, 'w1/shared', 'alice')
    const bob = connectStock(server.wsUrl, 'w1/shared', 'bob')
    clients.push(alice, bob)
    await synced(alice, bob)
    const { createDocument } = await import('../shared/documents.ts')
    alice.doc.transact(() => createDocument(alice.doc, 'Plan', 'We ship on Monday.', 'plan'))
    const textOf = (c: StockClient) => (c.doc.getMap('docs').get('plan') as Y.Text | undefined)?.toString()
    await waitFor(() => textOf(bob) === 'We ship on Monday.', 'bob to get the plan')
    alice.provider.disconnect()
    bob.provider.disconnect()
    const edit = (c: StockClient, day: string) => {
      const t = c.doc.getMap('docs').get('plan') as Y.Text
      t.delete(11, 6)
      t.insert(11, day)
    }
    edit(alice, 'Friday')
    edit(bob, 'Tuesday')
    alice.provider.connect()
    await synced(alice)
    bob.provider.connect()
    await synced(bob)
    let record: ConflictRecord | undefined
    await waitFor(async () => (record = (await conflicts(server!, 'w1', 'open')).find((r) => r.kind === 'overlapping-text-edit')) !== undefined, 'the text conflict')
    const agent = await arbiterAgent(server)
    const result = await agent.submit(record!.id, { pick: 'bob' }, 'Tuesday gives the team one more day.')
    expect(result.applied).toBe(false)
    expect(result.reason).toMatch(/requires a person to approve overlapping-text-edit/)
    expect(result.conflict.status).toBe('open')
    // Resolving by hand through the SDK: the arbiter is an editor.
    const done = await agent.resolve(record!.id, { pick: 'bob' })
    expect(done).toMatchObject({ status: 'resolved', resolution: { by: 'agent-a', choice: 'bob' } })
    await waitFor(() => textOf(alice) === textOf(bob) && textOf(alice)!.includes('Tuesday') && !textOf(alice)!.includes('Friday'), 'the resolution to reach both')
  })

  it('proposals are bounded and refused clearly: reasoning size, one current per proposer, eight proposers, viewers, other workspaces', async () => {
    server = await startTestServer()
    const { record } = await offlineConflict(server, 'alice', 'bob', ['a', 'b'])
    const path = `w1/conflicts/${record.id}/proposals`
    const long = await call(server, 'agent-a', 'POST', path, { pick: 'alice', reasoning: 'é'.repeat(2049) })
    expect(long.status).toBe(400)
    expect(long.json.error?.message).toMatch(/4096 bytes/)
    expect((await call(server, 'agent-a', 'POST', path, { pick: 'alice', reasoning: 'é'.repeat(2048) })).status).toBe(201)
    const notParty = await call(server, 'agent-a', 'POST', path, { pick: 'carol', reasoning: 'why not' })
    expect(notParty.status).toBe(400)
    expect(notParty.json.error?.message).toMatch(/not a party.*alice, bob/)
    // One current proposal per proposer: the newer replaces the older.
    await call(server, 'agent-a', 'POST', path, { pick: 'bob', reasoning: 'second thoughts' })
    let [now] = await conflicts(server)
    expect(now.proposals?.map((p) => [p.by, p.choice, p.reasoning])).toEqual([['agent-a', 'bob', 'second thoughts']])
    // Viewers may not propose; outsiders and other workspaces do not see the conflict (404).
    expect((await call(server, 'vic', 'POST', path, { pick: 'a', reasoning: 'x' })).status).toBe(403)
    expect((await call(server, 'outsider', 'POST', path, { pick: 'alice', reasoning: 'x' })).status).toBe(404)
    const elsewhere = await call(server, 'agent-a', 'POST', `team/conflicts/${record.id}/proposals`, { pick: 'alice', reasoning: 'x' })
    expect(elsewhere.status).toBe(404)
    // At most eight proposers.
    for (let i = 1; i <= 8; i++) {
      const id = `arbiter-${i}`
      await server.registry.createPrincipal({ id, kind: 'agent', token: token(id) })
      await server.registry.setMember('w1', id, 'reviewer')
    }
    for (let i = 1; i <= 7; i++) expect((await call(server, `arbiter-${i}`, 'POST', path, { pick: 'alice', reasoning: `rule ${i}` })).status).toBe(201)
    const full = await call(server, 'arbiter-8', 'POST', path, { value: 'c', reasoning: 'a third way' })
    expect(full.status).toBe(409)
    expect(full.json.error?.code).toBe('too_many_proposals')
    ;[now] = await conflicts(server)
    expect(now.proposals).toHaveLength(8)
    // A reviewer's proposal never applies itself, whatever the setting: it may not resolve.
    await call(server, 'alice', 'PUT', 'w1/settings', { arbiter: { autoApply: ['map-key-overwrite'] } })
    const byReviewer = await call<{ applied: boolean; reason: string }>(server, 'arbiter-1', 'POST', path, { pick: 'bob', reasoning: 'again' })
    expect(byReviewer.json).toMatchObject({ applied: false, reason: expect.stringMatching(/may not resolve it alone/) })
  })
})

describe('polyphony agent --role arbiter', () => {
  const args = (s: TestServer, extra: string[]) => ['agent', '--server', s.url, '--workspace', 'w1', '--token', token('agent-a'), '--role', 'arbiter', ...extra]

  it('without a model key the heuristic arbiter (labelled) proposes for every open conflict with --once and exits 0', async () => {
    server = await startTestServer()
    const { record } = await offlineConflict(server, 'alice', 'agent-b', ['mine', 'theirs'])
    const run = runCli(args(server, ['--once']), { env: cleanEnv() })
    expect(await run.exited).toEqual({ code: 0, signal: null })
    expect(run.records().map((r) => r.msg)).toContain(`no model: conflicts are judged by the built-in ${HEURISTIC_ARBITER}`)
    expect(run.records().find((r) => r.msg === 'resolution proposed')).toMatchObject({ conflict: record.id, choice: { pick: 'alice' } })
    const [now] = await conflicts(server)
    expect(now).toMatchObject({ status: 'open', proposals: [{ by: 'agent-a', choice: 'alice', reasoning: expect.stringContaining(HEURISTIC_ARBITER) }] })
  })

  it('with ANTHROPIC_API_KEY the model judges through propose_resolution', async () => {
    server = await startTestServer()
    api = await startFakeMessagesApi()
    const { record } = await offlineConflict(server, 'alice', 'bob', ['red', 'blue'])
    const custom = 'red and blue'
    api.script(
      step.toolUse({ name: 'propose_resolution', input: { conflictId: record.id, choice: 'custom', value: custom, reasoning: 'Both colours were meant.' } }),
      step.text('Proposed.'),
    )
    const run = runCli(args(server, ['--model', 'claude-test', '--once']), { env: cleanEnv({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: api.url }) })
    expect(await run.exited).toEqual({ code: 0, signal: null })
    expect(api.requests[0]!.body.system).toMatch(/You are the arbiter/)
    const [now] = await conflicts(server)
    expect(now.proposals).toEqual([{ by: 'agent-a', choice: 'custom', value: custom, reasoning: 'Both colours were meant.', at: expect.any(Number) }])
  })
})
