// [reach] The Streamable HTTP MCP endpoint /mcp, driven by the MCP SDK's Client: the same tools
// as `polyphony mcp`, bearer auth, a bounded number of sessions per principal, revocation.

import { beforeAll, expect, it } from 'vitest'
import { ADMIN_TOKEN, startTestServer, token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { connectTestAgent } from './helpers/agents.ts'
import { connectMcpHttp } from './helpers/mcp.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import { connectStock, synced } from './helpers/clients.ts'
import type { Agent } from '../agents/index.ts'
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

const WS = 'team'
const t = useHarness()
let owner: Agent

beforeAll(async () => {
  await t.start({ mcp: { perPrincipal: 2 } })
  owner = await t.agent('alice', { workspace: WS })
  owner.createDocument('notes', 'Draft: the meeting is on Friday.', 'Meeting notes')
  await owner.flushed()
})

const open = async (principal: string) => {
  const c = await connectMcpHttp(t.server, WS, principal)
  t.defer(() => c.close().catch(() => undefined))
  return c
}

const initialize = (tokenValue: string | undefined, workspace = WS) =>
  fetch(`${t.server.url}/mcp?workspace=${workspace}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(tokenValue ? { authorization: `Bearer ${tokenValue}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
  })

it('lists the same tools, reads and edits by quote; the edit is durable and everyone sees it', async () => {
  const mcp = await open('agent-a')
  const names = (await mcp.client.listTools()).tools.map((t) => t.name)
  expect(names).toEqual(expect.arrayContaining(['workspace_overview', 'read_document', 'replace_text', 'insert_text', 'annotate', 'claim_task', 'wait_for_changes']))
  const read = await mcp.call('read_document', { doc: 'Meeting notes' })
  expect(read.data.text).toBe('Draft: the meeting is on Friday.')
  const edit = await mcp.call('replace_text', { doc: 'notes', quote: 'Friday', replacement: 'Thursday', version: read.data.version })
  expect(edit.isError).toBe(false)
  expect(edit.data.staleRead).toBe(false)
  await waitFor(() => owner.read('notes') === 'Draft: the meeting is on Thursday.', 'the owner sees the edit')
  const resources = await mcp.client.listResources()
  expect(resources.resources.map((r) => r.uri)).toContain(`polyphony://${WS}/docs/notes`)
  const doc = await mcp.client.readResource({ uri: `polyphony://${WS}/docs/notes` })
  expect(doc.contents[0]).toMatchObject({ text: 'Draft: the meeting is on Thursday.' })
})

it('reviews through the tools: readings, keep, reply, reject, conflicts; a role the server refuses gets its message', async () => {
  const writer = await connectTestAgent(t.server, 'agent-a', { workspace: WS })
  try {
    const note = writer.annotate('notes', { quote: 'the meeting' }, { label: 'vague', comment: 'Which meeting?' })
    const prop = writer.propose('notes', { quote: 'Draft: ' }, '', 'not a draft any more')
    await writer.flushed()
    const alice = await open('alice')
    const readings = await alice.call('read_readings', { doc: 'notes' })
    const annotations = (readings.data.groups as Array<{ annotations: Array<{ owner: string; id: string }> }>).flatMap((g) => g.annotations)
    expect(annotations).toContainEqual(expect.objectContaining({ owner: 'agent-a', id: note.id }))
    expect(readings.data.proposals).toContainEqual(expect.objectContaining({ owner: 'agent-a', id: prop.id, status: 'open' }))
    expect((await alice.call('keep_annotation', { owner: 'agent-a', id: note.id })).isError).toBe(false)
    expect((await alice.call('reply_to_annotation', { owner: 'agent-a', id: note.id, text: 'The kickoff.' })).isError).toBe(false)
    expect((await alice.call('reject_proposal', { owner: 'agent-a', id: prop.id })).isError).toBe(false)
    const after = await alice.call('read_readings', { doc: 'notes' })
    const kept = (after.data.groups as Array<{ annotations: Array<{ id: string; decision: string | null; replies: Array<{ by: string; text: string }> }> }>)
      .flatMap((g) => g.annotations)
      .find((a) => a.id === note.id)
    expect(kept).toMatchObject({ decision: 'keep', replies: [{ by: 'alice', text: 'The kickoff.' }] })
    expect(after.data.proposals).toContainEqual(expect.objectContaining({ id: prop.id, status: 'rejected' }))

    const viewer = await open('vic')
    const refused = await viewer.call('promote_annotation', { owner: 'agent-a', id: note.id })
    expect(refused.isError).toBe(true)
    expect(refused.text).toMatch(/^the server refused: .+\(forbidden\)$/)

    // Two writers retitle the workspace while apart: one conflict, resolved through the tool.
    const [a, b] = [connectStock(t.server.wsUrl, `${WS}/shared`, 'alice'), connectStock(t.server.wsUrl, `${WS}/shared`, 'bob')]
    try {
      await synced(a, b)
      a.provider.disconnect()
      b.provider.disconnect()
      a.doc.getMap('meta').set('title', 'Alice title')
      b.doc.getMap('meta').set('title', 'Bob title')
      a.provider.connect()
      await synced(a)
      b.provider.connect()
      await synced(b)
      let listed = await alice.call('list_conflicts', {})
      await waitFor(async () => (listed = await alice.call('list_conflicts', {})).data.total === 1, 'one open conflict')
      const [conflict] = listed.data.conflicts as Array<{ id: string; kind: string; where: unknown; parties: Array<{ principal: string; value: unknown }> }>
      expect(conflict).toMatchObject({ kind: 'map-key-overwrite', where: { path: 'meta.title' } })
      expect(conflict.parties.map((p) => p.value)).toEqual(['Alice title', 'Bob title'])
      expect((await viewer.call('resolve_conflict', { id: conflict.id, pick: 'bob' })).text).toMatch(/^the server refused: role viewer may not .*\(forbidden\)$/)
      expect((await alice.call('resolve_conflict', { id: conflict.id })).text).toMatch(/exactly one of pick .* or value/)
      // A proposal with its reasoning shows with the conflict; approval is required by default.
      const proposed = await viewer.call('propose_resolution', { id: conflict.id, pick: 'bob', reasoning: 'Bob named it last.' })
      expect(proposed.text).toMatch(/^the server refused: role viewer may not propose/)
      const byAlice = await alice.call('propose_resolution', { id: conflict.id, pick: 'bob', reasoning: 'Bob named it last.' })
      expect(byAlice.data).toMatchObject({ applied: false, conflict: { status: 'open', proposals: [{ by: 'alice', choice: 'bob', reasoning: 'Bob named it last.' }] } })
      const resolved = await alice.call('resolve_conflict', { id: conflict.id, pick: 'bob' })
      expect(resolved.data.conflict).toMatchObject({ status: 'resolved', resolution: { by: 'alice', choice: 'bob' } })
      await waitFor(() => a.doc.getMap('meta').get('title') === 'Bob title', 'the resolution in the document')
      expect((await alice.call('list_conflicts', {})).data.total).toBe(0)
    } finally {
      a.destroy()
      b.destroy()
    }
  } finally {
    writer.close()
  }
})

it('tasks a session holds go back to the pool when it ends, not when the lease runs out', async () => {
  const rival = await connectTestAgent(t.server, 'bob', { workspace: WS })
  try {
    await rival.tasks.client.create({ id: 'summarize', title: 'Summarize the notes' })
    const mcp = await connectMcpHttp(t.server, WS, 'agent-a')
    expect((await mcp.call('claim_task', { id: 'summarize', ttlSeconds: 600 })).data).toMatchObject({ held: true })
    await expect(rival.tasks.claim('summarize')).rejects.toThrow(/agent-a/)
    await (mcp.client.transport as StreamableHTTPClientTransport).terminateSession()
    await mcp.close()
    await waitFor(async () => (await rival.tasks.client.get('summarize')).status === 'open', 'the task back in the pool')
    await rival.tasks.claim('summarize')
    expect(await rival.tasks.release('summarize')).toMatchObject({ status: 'open' })
  } finally {
    rival.close()
  }
})

it('submit_review opens a blind-until-submitted namespace to the other members', async () => {
  const seed = await connectTestAgent(t.server, 'alice', { workspace: 'blind' })
  const bob = await connectTestAgent(t.server, 'bob', { workspace: 'blind' })
  try {
    seed.createDocument('essay', 'Agents always agree with each other.')
    await seed.flushed()
    const mcp = await connectMcpHttp(t.server, 'blind', 'agent-c')
    t.defer(() => mcp.close().catch(() => undefined))
    await waitFor(async () => !(await mcp.call('read_document', { doc: 'essay' })).isError, 'the session sees the essay')
    expect((await mcp.call('annotate', { doc: 'essay', quote: 'always agree', comment: 'Overclaim.' })).isError).toBe(false)
    const readers = async () => (await bob.divergences('essay')).groups.flatMap((g) => g.readings.map((r) => r.principal))
    expect(await readers()).toEqual([])
    const submitted = await mcp.call('submit_review', {})
    expect(submitted.data).toEqual({ submitted: true })
    expect(await readers()).toEqual(['agent-c'])
  } finally {
    seed.close()
    bob.close()
  }
})

it('refuses a missing or bad token (401), a non-member (403), a request without a session (400), and sessions beyond the per-principal cap (429)', async () => {
  expect((await initialize(undefined)).status).toBe(401)
  const bad = await initialize('pp_not_a_token')
  expect(bad.status).toBe(401)
  expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer/)
  expect((await initialize(token('outsider'))).status).toBe(403)
  const noSession = await fetch(`${t.server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token('agent-a')}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  })
  expect(noSession.status).toBe(400)
  expect(((await noSession.json()) as { error: { message: string } }).error.message).toMatch(/start with an initialize request/)
  const first = await open('agent-b')
  await open('agent-b')
  const third = await initialize(token('agent-b'))
  expect(third.status).toBe(429)
  expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(/DELETE \/mcp/)
  // Ending a session (HTTP DELETE) frees its place.
  const sessionsBefore = t.server.mcp.size
  await (first.client.transport as StreamableHTTPClientTransport).terminateSession()
  expect(t.server.mcp.size).toBe(sessionsBefore - 1)
  expect((await initialize(token('agent-b'))).status).toBe(200)
})

it('removing a member closes their sessions', async () => {
  const sessionsBefore = t.server.mcp.size
  const res = await initialize(token('agent-c'))
  expect(t.server.mcp.size).toBe(sessionsBefore + 1)
  expect((await httpJson(`${t.server.url}/api/workspaces/${WS}/members/agent-c`, { method: 'DELETE', token: ADMIN_TOKEN })).status).toBe(200)
  await waitFor(() => t.server.mcp.size === sessionsBefore, 'the removed member’s session to close')
  const again = await fetch(`${t.server.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token('agent-c')}`,
      'mcp-session-id': res.headers.get('mcp-session-id') ?? '',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  })
  expect(again.status).toBe(404)
})

it('an idle session expires', async () => {
  const quick = await startTestServer({ mcp: { idleMs: 300 } })
  try {
    const c = await connectMcpHttp(quick, WS, 'agent-a')
    expect(quick.mcp.size).toBe(1)
    await waitFor(() => quick.mcp.size === 0, 'the idle session to close')
    await expect(c.client.listTools()).rejects.toThrow(/404|no such MCP session/)
    await c.close().catch(() => undefined)
  } finally {
    await quick.close()
  }
})

it('a revoked token closes its sessions: the next request is refused', async () => {
  const created = await httpJson<{ token: string }>(`${t.server.url}/api/principals`, { method: 'POST', token: ADMIN_TOKEN, body: { id: 'http-agent', kind: 'agent' } })
  await httpJson(`${t.server.url}/api/workspaces/${WS}/members/http-agent`, { method: 'PUT', token: ADMIN_TOKEN, body: { role: 'editor' } })
  const sessionsBefore = t.server.mcp.size
  const res = await initialize(created.json.token)
  expect(res.status).toBe(200)
  expect(t.server.mcp.size).toBe(sessionsBefore + 1)
  const revoked = await httpJson<{ closedSockets: number }>(`${t.server.url}/api/principals/http-agent`, { method: 'DELETE', token: ADMIN_TOKEN })
  // The session's agent held sockets; the server closed them, which ends the session.
  expect(revoked.json.closedSockets).toBeGreaterThan(0)
  await waitFor(() => t.server.mcp.size === sessionsBefore, 'the revoked session to close')
  const again = await fetch(`${t.server.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${created.json.token}`,
      'mcp-session-id': res.headers.get('mcp-session-id') ?? '',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  })
  expect(again.status).toBe(401)
})

it('a server started without session agents (no composition root) answers /mcp with 503 and says how to enable it', async () => {
  await t.start({ mcpAgent: undefined })
  const res = await initialize(token('agent-a'))
  expect(res.status).toBe(503)
  expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/polyphony serve/)
})
