// [reach] `polyphony mcp` over stdio, driven by the MCP SDK's own Client against a real server:
// an MCP client reads, edits by quote next to a stock client, annotates, proposes, claims,
// waits for changes, and is refused clearly when the call or its rights are wrong.

import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { spawn } from 'node:child_process'
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { connectTestAgent } from './helpers/agents.ts'
import { synced, type StockClient } from './helpers/clients.ts'
import { connectMcpStdio, type McpTestClient } from './helpers/mcp.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import { ApiRequestError, type Agent } from '../agents/index.ts'
import { documentText } from '../shared/documents.ts'

const WS = 'team'
const t = useHarness()
let owner: Agent
let mcp: McpTestClient
let stock: StockClient
let docId: string
const TEXT = 'Our launch is on Monday.\n\nMany experts agree that the plan is sound, and the plan is final.\n'

beforeAll(async () => {
  await t.start()
  owner = await t.agent('alice', { workspace: WS })
  docId = 'announcement'
  owner.createDocument(docId, TEXT, 'Announcement')
  await owner.flushed()
  mcp = t.own(await connectMcpStdio(t.server, WS, 'agent-a'))
  stock = t.stock(`${WS}/shared`, 'bob')
  await synced(stock)
}, 30_000)

const stockText = () => documentText(stock.doc, docId)?.toString() ?? ''

describe('polyphony mcp (stdio)', () => {
  it('lists its tools and reads the workspace and a document with a version token', async () => {
    const { tools } = await mcp.client.listTools()
    const names = tools.map((t) => t.name)
    for (const n of ['workspace_overview', 'read_document', 'replace_text', 'annotate', 'claim_task', 'wait_for_changes', 'resolve_conflict']) expect(names).toContain(n)
    const overview = await mcp.call('workspace_overview')
    expect(overview.isError).toBe(false)
    expect(overview.data.me).toEqual({ id: 'agent-a', role: 'editor' })
    expect(overview.data.documents).toEqual([{ id: docId, title: 'Announcement' }])
    const read = await mcp.call('read_document', { doc: 'Announcement' })
    expect(read.data.text).toBe(TEXT)
    expect(read.data.version).toMatch(/\.[0-9a-f]{16}$/)
    // It shows in presence as an agent with what it did.
    await waitFor(
      () =>
        [...stock.provider.awareness.getStates().values()].some(
          (s) => s.user?.principal === 'agent-a' && s.user?.kind === 'agent' && s.status?.detail === 'mcp: done reading Announcement',
        ),
      'mcp presence',
    )
  })

  it('edits by quote while a stock client edits the same paragraph: both edits survive, a stale read is reported', async () => {
    const { data } = await mcp.call('read_document', { doc: docId })
    // Concurrent: the stock client types at the end of the paragraph while the MCP edit is in flight.
    const edit = mcp.call('replace_text', { doc: docId, quote: 'Many experts agree', replacement: 'Three reviewers agreed', version: data.version })
    documentText(stock.doc, docId)!.insert(TEXT.lastIndexOf('.'), ' (see the minutes)')
    const result = await edit
    expect(result.isError).toBe(false)
    await waitFor(() => stockText().includes('Three reviewers agreed'), 'the MCP edit reaches the stock client')
    expect(stockText()).toContain('(see the minutes)')
    await waitFor(() => owner.read(docId) === stockText(), 'replicas converge')
    // An edit sent with the version of an earlier read says the text moved, and applies anyway.
    const again = await mcp.call('insert_text', { doc: docId, quote: 'Monday', position: 'after', text: ' at 9:00', version: data.version })
    expect(again.isError).toBe(false)
    expect(again.data.staleRead).toBe(true)
    expect(again.text).toContain('the text changed since your read')
    await waitFor(() => stockText().startsWith('Our launch is on Monday at 9:00.'), 'insert arrives')
  })

  it('refuses an ambiguous quote and lists the candidates; prefix picks one', async () => {
    const r = await mcp.call('replace_text', { doc: docId, quote: 'the plan', replacement: 'our plan' })
    expect(r.isError).toBe(true)
    expect(r.text).toMatch(/occurs 2 times.*prefix/)
    const candidates = r.data.candidates as Array<{ before: string; after: string }>
    expect(candidates).toHaveLength(2)
    expect(candidates.map((c) => c.after.slice(0, 9))).toEqual([' is sound', ' is final'])
    const missing = await mcp.call('replace_text', { doc: docId, quote: 'the plan is sond', replacement: 'x' })
    expect(missing.isError).toBe(true)
    expect((missing.data.suggestions as Array<{ text: string }>)[0].text).toBe('the plan is sound')
    // Inputs are bounded by schema: an annotation's quote by the anchor limit every reader relies on.
    const long = await mcp.call('annotate', { doc: docId, quote: 'x'.repeat(1001), comment: 'too long' })
    expect(long.isError).toBe(true)
    expect(long.text).toMatch(/annotate.*1000/s)
    const fixed = await mcp.call('replace_text', { doc: docId, quote: 'the plan', suffix: ' is final', replacement: 'the schedule' })
    expect(fixed.isError).toBe(false)
    await waitFor(() => stockText().includes('and the schedule is final'), 'the disambiguated edit')
    expect(owner.read(docId)).toContain('that the plan is sound')
  })

  it('annotates in its own namespace (an owner reads it; the same annotation twice is one), proposes, and an owner accepts', async () => {
    const args = { doc: docId, quote: 'Three reviewers agreed', label: 'vague', comment: 'Which reviewers?' }
    const first = await mcp.call('annotate', args)
    const second = await mcp.call('annotate', args)
    expect(first.data.created).toBe(true)
    expect(second.data).toMatchObject({ created: false, id: first.data.id })
    const groups = (await owner.divergences(docId)).groups
    const mine = groups
      .flatMap((g) => g.readings)
      .filter((r) => r.principal === 'agent-a')
      .flatMap((r) => r.annotations)
    expect(mine.map((a) => [a.label, a.comment, a.quote])).toEqual([['vague', 'Which reviewers?', 'Three reviewers agreed']])
    // A newer reading of the stretch supersedes the first: readers list only the newer one.
    const newer = await mcp.call('annotate', { ...args, comment: 'Which three, and did they read the final draft?', supersedes: [first.data.id] })
    expect(newer.isError).toBe(false)
    const current = (await owner.divergences(docId)).groups
      .flatMap((g) => g.readings)
      .filter((r) => r.principal === 'agent-a')
      .flatMap((r) => r.annotations)
    expect(current.map((a) => a.id)).toEqual([newer.data.id])
    const notMine = await mcp.call('annotate', { ...args, comment: 'Again.', supersedes: ['a-0000000000000000'] })
    expect(notMine.isError).toBe(true)
    expect(notMine.text).toMatch(/only its own readings/)

    const proposal = await mcp.call('propose_edit', { doc: docId, quote: 'that the plan is sound', replacement: 'that the plan holds', rationale: 'shorter' })
    expect(proposal.isError).toBe(false)
    const accepted = await owner.accept('agent-a', proposal.data.id as string)
    expect(accepted.status).toBe('accepted')
    await waitFor(() => stockText().includes('that the plan holds'), 'the accepted proposal in the text')
    owner.note('Ready to send once the date is confirmed.', docId)
    await owner.flushed()
    const readings = await mcp.call('read_readings', { doc: docId })
    expect((readings.data.proposals as Array<{ status: string }>).map((p) => p.status)).toEqual(['accepted'])
    // Notes of every namespace it may read (a team workspace: alice's too).
    expect(readings.data.notes).toContainEqual(expect.objectContaining({ owner: 'alice', text: 'Ready to send once the date is confirmed.' }))
  })

  it('claims a task against an SDK agent racing for it: exactly one wins; the winner completes it', async () => {
    const rival = await connectTestAgent(t.server, 'agent-b', { workspace: WS })
    try {
      await rival.tasks.client.create({ id: 'check-claims', title: 'Check the claims' })
      const [viaMcp, viaSdk] = await Promise.all([
        mcp.call('claim_task', { id: 'check-claims' }),
        rival.tasks.claim('check-claims').then(
          () => 'won',
          (e: unknown) => e,
        ),
      ])
      const sdkWon = viaSdk === 'won'
      expect(viaMcp.isError).toBe(sdkWon)
      if (sdkWon) {
        expect(viaMcp.text).toMatch(/not claimed \(held by agent-b\)/)
        await rival.tasks.release('check-claims')
        expect((await mcp.call('claim_task', { id: 'check-claims' })).isError).toBe(false)
      } else {
        expect(viaSdk).toBeInstanceOf(ApiRequestError)
      }
      const done = await mcp.call('complete_task', { id: 'check-claims', result: 'all sourced' })
      expect(done.isError).toBe(false)
      expect(done.data.task).toMatchObject({ status: 'done', owner: 'agent-a', result: 'all sourced' })
      // Held by another: refused with the holder named, whatever the race above gave.
      await rival.tasks.client.create({ id: 'second', title: 'Second pass' })
      await rival.tasks.claim('second')
      const held = await mcp.call('claim_task', { id: 'second' })
      expect(held.isError).toBe(true)
      expect(held.text).toMatch(/task second not claimed \(held by agent-b\)/)
      expect(held.data).toMatchObject({ code: 'held', owner: 'agent-b' })
      const notHeld = await mcp.call('release_task', { id: 'check-claims' })
      expect(notHeld.isError).toBe(true)
      expect(notHeld.text).toMatch(/holds no lease on task check-claims: claim_task first/)
    } finally {
      rival.close()
    }
  })

  it('wait_for_changes wakes on another client’s edit', async () => {
    const first = await mcp.call('wait_for_changes', {})
    expect(first.data.changed).toBe(false)
    const waiting = mcp.call('wait_for_changes', { cursor: first.data.cursor, timeoutSeconds: 20 })
    const started = Date.now()
    documentText(stock.doc, docId)!.insert(0, 'UPDATE: ')
    const woke = await waiting
    expect(woke.data.changed).toBe(true)
    expect(woke.data.documents).toEqual([docId])
    expect(Date.now() - started).toBeLessThan(5000)
    const idle = await mcp.call('wait_for_changes', { cursor: woke.data.cursor, timeoutSeconds: 0.2 })
    expect(idle.data.changed).toBe(false)
    // Another principal's annotation in a namespace this session may read (a team workspace).
    const next = mcp.call('wait_for_changes', { cursor: idle.data.cursor, timeoutSeconds: 20 })
    const { id } = owner.annotate(docId, { quote: 'UPDATE' }, { label: 'style', comment: 'no caps' })
    const seen = await next
    expect(seen.data).toMatchObject({ changed: true, readings: [`alice/annotations:${id}`], documents: [] })
  })

  it('creates a document; resource lists announce the change and read it', async () => {
    let announced = 0
    mcp.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void announced++)
    const created = await mcp.call('create_document', { title: 'Minutes', content: 'We met.' })
    expect(created.data).toMatchObject({ title: 'Minutes', durable: true })
    const id = created.data.id as string
    expect(id).toMatch(/^d-[a-z0-9]{10}$/)
    await waitFor(() => announced > 0, 'a resources/list_changed notification')
    const { resources } = await mcp.client.listResources()
    expect(resources.map((r) => r.uri)).toContain(`polyphony://${WS}/docs/${id}`)
    const read = await mcp.client.readResource({ uri: `polyphony://${WS}/docs/${id}` })
    expect(read.contents[0]).toMatchObject({ mimeType: 'text/plain', text: 'We met.' })
    expect((await mcp.call('create_document', { title: 'Minutes' })).text).toMatch(/already exists/)
    await waitFor(() => owner.documentList().some((d) => d.id === id && d.title === 'Minutes'), 'others see it')
  })

  it('writes nothing but JSON-RPC to stdout', async () => {
    const child = spawn(process.execPath, ['bin/polyphony.mjs', 'mcp', '--server', t.server.url, '--workspace', WS, '--token', token('agent-b')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const send = (id: number, method: string, params: unknown) => child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n')
    send(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } })
    await waitFor(() => out.includes('"id":1'), 'initialize answered')
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n')
    send(2, 'tools/call', { name: 'read_document', arguments: { doc: docId } })
    send(3, 'tools/call', { name: 'replace_text', arguments: { doc: docId, quote: 'no such words', replacement: 'x' } })
    await waitFor(() => out.includes('"id":3'), 'both calls answered')
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.stdin.end()
    expect(await exited).toBe(0)
    const lines = out.trim().split('\n')
    expect(lines.map((l) => (JSON.parse(l) as { jsonrpc: string }).jsonrpc)).toEqual(lines.map(() => '2.0'))
  })

  it('refuses a viewer’s write with a clear message and changes nothing', async () => {
    const viewer = await connectMcpStdio(t.server, WS, 'vic')
    try {
      const before = stockText()
      const r = await viewer.call('replace_text', { doc: docId, quote: 'UPDATE', replacement: 'HACKED' })
      expect(r.isError).toBe(true)
      expect(r.text).toMatch(/role viewer may not edit shared documents.*propose_edit/)
      expect((await viewer.call('read_document', { doc: docId })).data.text).toBe(before)
      // Its own namespace is still its own.
      expect((await viewer.call('annotate', { doc: docId, quote: 'UPDATE', comment: 'why caps?' })).isError).toBe(false)
      // A role change closes the session's sockets: calls say to start a new session.
      const promote = await httpJson(`${t.server.url}/api/workspaces/${WS}/members/vic`, { method: 'PUT', token: ADMIN_TOKEN, body: { role: 'editor' } })
      expect(promote.status).toBe(200)
      let last = ''
      await waitFor(async () => (last = (await viewer.call('list_documents')).text).includes('start a new session'), 'a refusal after the role change')
      expect(last).toMatch(/your role changed/)
    } finally {
      await viewer.close()
      await httpJson(`${t.server.url}/api/workspaces/${WS}/members/vic`, { method: 'PUT', token: ADMIN_TOKEN, body: { role: 'viewer' } })
    }
  })

  it('a revoked token ends the session: tool calls say the token was revoked', async () => {
    const admin = (method: string, path: string, body?: unknown) => httpJson<Record<string, string>>(`${t.server.url}${path}`, { method, token: ADMIN_TOKEN, body })
    const created = await admin('POST', '/api/principals', { id: 'temp-agent', kind: 'agent' })
    await httpJson(`${t.server.url}/api/workspaces/${WS}/members/temp-agent`, { method: 'PUT', token: ADMIN_TOKEN, body: { role: 'editor' } })
    const temp = await connectMcpStdio(t.server, WS, 'temp-agent', { tokenValue: created.json.token })
    try {
      expect((await temp.call('list_documents')).isError).toBe(false)
      expect((await admin('DELETE', '/api/principals/temp-agent')).status).toBe(200)
      let last = ''
      await waitFor(async () => {
        const r = await temp.call('read_document', { doc: docId })
        last = r.text
        return r.isError
      }, 'a refused call after revocation')
      expect(last).toMatch(/token of temp-agent was revoked/)
    } finally {
      await temp.close()
    }
  })
})
