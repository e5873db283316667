// [history] Versions, diffs by author, blame and restore through the real server: a person on a
// stock WebsocketProvider, an agent on the SDK, the server restoring; a Yjs client id reused by a
// second principal is refused; members read, editors and owners restore and take versions.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ADMIN_TOKEN, token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced, type StockClient } from './helpers/clients.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor, until } from './helpers/wait.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'
import { fakeClock } from './helpers/fakeClock.ts'
import { createDocument, documentText } from '../shared/documents.ts'
import { SERVER_PRINCIPAL } from '../shared/model.ts'
import type { VersionMeta } from '../server/history/VersionStore.ts'
import type { BlameRun, DiffSpan } from '../server/history/docHistory.ts'

const t = useHarness()
afterEach(() => killAllCli())

/** The clients join() opened, for a test that must see them all leave (unload, restart). */
const joined: StockClient[] = []
const join = async (who: string, doc?: Y.Doc) => {
  const c = t.stock('w1/shared', who, { doc })
  joined.push(c)
  await synced(c)
  return c
}
const call = async <T>(who: string, method: string, path: string, body?: unknown) =>
  httpJson<T>(t.server.url + '/api/workspaces/w1' + path, { method, token: who === 'admin' ? ADMIN_TOKEN : token(who), body })
const ok = async <T>(who: string, method: string, path: string, body?: unknown): Promise<T> => {
  const res = await call<T>(who, method, path, body)
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`)
  return res.json
}
const serverText = async (id: string) => documentText((await t.server.core.room('w1/shared')).doc, id)?.toString()

describe('document history', () => {
  it('texts at versions are exact, diffs and blame name the person, the agent and the server, restore writes the old text back', async () => {
    await t.start({ history: { idleMs: 600_000 } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'Plan', 'Hello world')
    await waitFor(async () => (await serverText(id)) === 'Hello world', 'the document on the server')
    const v1 = await ok<VersionMeta>('alice', 'POST', `/docs/${id}/versions`, { label: 'first draft' })
    expect(v1).toMatchObject({ n: 1, label: 'first draft', principal: 'alice', reason: 'request' })
    expect(v1.docs).toContain(id)

    const agent = await t.agent('agent-a')
    agent.edit(id, (t) => t.insert(t.length, ' from agent'))
    await agent.flushed()
    await waitFor(() => documentText(alice.doc, id)?.toString() === 'Hello world from agent', 'the agent edit at alice')
    const text = documentText(alice.doc, id)!
    alice.doc.transact(() => {
      text.delete(0, 5)
      text.insert(0, 'Howdy')
    })
    await waitFor(async () => (await serverText(id)) === 'Howdy world from agent', 'alice edit on the server')
    const v2 = await ok<VersionMeta>('bob', 'POST', `/docs/${id}/versions`, {})
    expect(v2).toMatchObject({ n: 2, label: null, principal: 'bob' })

    expect((await ok<{ text: string }>('vic', 'GET', `/docs/${id}/versions/1`)).text).toBe('Hello world')
    expect((await ok<{ text: string }>('vic', 'GET', `/docs/${id}/versions/2`)).text).toBe('Howdy world from agent')

    const { spans } = await ok<{ spans: DiffSpan[] }>('rita', 'GET', `/docs/${id}/diff?from=1&to=2`)
    expect(
      spans
        .filter((s) => s.kind !== 'deleted')
        .map((s) => s.text)
        .join(''),
    ).toBe('Howdy world from agent')
    expect(
      spans
        .filter((s) => s.kind !== 'inserted')
        .map((s) => s.text)
        .join(''),
    ).toBe('Hello world')
    expect(spans.filter((s) => s.kind === 'inserted')).toEqual([
      { kind: 'inserted', text: 'Howdy', principal: 'alice' },
      { kind: 'inserted', text: ' from agent', principal: 'agent-a' },
    ])
    expect(spans.filter((s) => s.kind === 'deleted')).toEqual([{ kind: 'deleted', text: 'Hello', principal: 'alice' }])

    const { runs } = await ok<{ runs: BlameRun[] }>('vic', 'GET', `/docs/${id}/blame`)
    expect(runs.map((r) => r.text).join('')).toBe('Howdy world from agent')
    expect(runs.map((r) => [r.text, r.principal])).toEqual([
      ['Howdy', 'alice'],
      [' world', 'alice'],
      [' from agent', 'agent-a'],
    ])
    // Written by: ' world' was in v1, the rest first in v2.
    expect(runs.map((r) => r.at)).toEqual([v2.at, v1.at, v2.at])

    const restored = await ok<{ restored: boolean; text: string }>('bob', 'POST', `/docs/${id}/restore`, { version: 1 })
    expect(restored).toMatchObject({ restored: true, text: 'Hello world' })
    await waitFor(() => text.toString() === 'Hello world', 'the restore at alice')
    await waitFor(() => agent.read(id) === 'Hello world', 'the restore at the agent')

    // The server took a version before writing, attributed to whom it wrote for and why.
    const { versions } = await ok<{ versions: VersionMeta[] }>('vic', 'GET', `/docs/${id}/versions`)
    expect(versions.map((v) => [v.n, v.reason, v.principal, v.label])).toEqual([
      [2, 'request', 'bob', null],
      [1, 'request', 'alice', 'first draft'],
    ])
    const after = await ok<{ spans: DiffSpan[] }>('vic', 'GET', `/docs/${id}/diff?from=2`)
    expect(
      after.spans
        .filter((s) => s.kind !== 'deleted')
        .map((s) => s.text)
        .join(''),
    ).toBe('Hello world')
    expect(after.spans.filter((s) => s.kind === 'inserted').every((s) => s.principal === SERVER_PRINCIPAL)).toBe(true)
    expect(after.spans.filter((s) => s.kind === 'inserted').length).toBeGreaterThan(0)
    expect(after.spans).toContainEqual({ kind: 'deleted', text: ' from agent', principal: 'agent-a' })
    const blame = await ok<{ runs: BlameRun[] }>('vic', 'GET', `/docs/${id}/blame`)
    expect(blame.runs.map((r) => r.text).join('')).toBe('Hello world')
    expect(blame.runs.some((r) => r.principal === SERVER_PRINCIPAL)).toBe(true)
    expect(blame.runs.find((r) => r.text.includes('world'))?.principal).toBe('alice')
  })

  it('an idle version comes 5 minutes after the last edit of a burst, not before, and once', async () => {
    const clock = fakeClock(1_800_000_000_000)
    await t.start({ history: { clock } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'Burst', 'a')
    await waitFor(async () => (await serverText(id)) === 'a', 'the document on the server')
    const versions = async () => (await ok<{ versions: VersionMeta[] }>('alice', 'GET', `/docs/${id}/versions`)).versions
    await clock.advance(4 * 60_000)
    documentText(alice.doc, id)!.insert(1, 'b') // the burst goes on: the countdown starts again
    await waitFor(async () => (await serverText(id)) === 'ab', 'the second edit on the server')
    await clock.advance(5 * 60_000 - 1)
    expect(await versions()).toEqual([])
    await clock.advance(1)
    const [idle] = await versions()
    expect(idle).toMatchObject({ n: 1, reason: 'idle', at: 1_800_000_000_000 + 9 * 60_000 })
    expect((await ok<{ text: string }>('alice', 'GET', `/docs/${id}/versions/1`)).text).toBe('ab')
    await clock.advance(60 * 60_000)
    expect(await versions()).toHaveLength(1)
  })

  it('a room that unloads with unversioned edits takes a version first', async () => {
    const server = await t.start({ history: { idleMs: 600_000 }, limits: { idleRoomMs: 50 } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'Leaving', 'last words')
    await waitFor(async () => (await serverText(id)) === 'last words', 'the document on the server')
    for (const c of joined.splice(0)) c.destroy()
    await waitFor(async () => (await server.versions.store.latest('w1/shared')) !== null, 'the unload version')
    const [unload] = (await ok<{ versions: VersionMeta[] }>('vic', 'GET', `/docs/${id}/versions`)).versions
    expect(unload).toMatchObject({ n: 1, reason: 'unload', principal: SERVER_PRINCIPAL })
    expect((await ok<{ text: string }>('vic', 'GET', `/docs/${id}/versions/1`)).text).toBe('last words')
  })

  it('takes a version before every server write and after a burst settles; versions survive a restart', async () => {
    const server = await t.start({ history: { idleMs: 50 } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'Notes', 'one')
    await waitFor(async () => (await ok<{ versions: VersionMeta[] }>('alice', 'GET', `/docs/${id}/versions`)).versions.length === 1, 'an idle version')
    const [idle] = (await ok<{ versions: VersionMeta[] }>('alice', 'GET', `/docs/${id}/versions`)).versions
    expect(idle).toMatchObject({ n: 1, reason: 'idle', principal: SERVER_PRINCIPAL })
    expect(idle.bytes).toBeGreaterThan(0)
    documentText(alice.doc, id)!.insert(3, ' two')
    await waitFor(async () => (await serverText(id)) === 'one two', 'the edit on the server')
    await ok('bob', 'POST', `/docs/${id}/restore`, { version: 1 })
    const { versions } = await ok<{ versions: VersionMeta[] }>('alice', 'GET', `/docs/${id}/versions`)
    expect(versions.find((v) => v.reason === 'before-server-write')).toMatchObject({ principal: 'bob', label: 'restore v1' })
    const before = versions.find((v) => v.reason === 'before-server-write')!
    expect((await ok<{ text: string }>('alice', 'GET', `/docs/${id}/versions/${before.n}`)).text).toBe('one two')
    await waitFor(
      async () => (await ok<{ versions: VersionMeta[] }>('alice', 'GET', `/docs/${id}/versions`)).versions.length === versions.length + 1,
      'an idle version after the restore',
    )

    for (const c of joined.splice(0)) c.destroy()
    await server.restart()
    for (const v of [1, before.n]) {
      const expected = v === 1 ? 'one' : 'one two'
      expect((await ok<{ text: string }>('alice', 'GET', `/docs/${id}/versions/${v}`)).text).toBe(expected)
    }
    expect(await serverText(id)).toBe('one')
  })

  it('refuses a Yjs client id another principal wrote under, also after a restart and for data older than the records; relaying what the room has claims nothing', async () => {
    let server = await t.start({ history: { idleMs: 600_000 } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'Shared', 'alice wrote this')
    await waitFor(async () => (await serverText(id)) === 'alice wrote this', 'alice text on the server')
    // Bob's sync step 2 carries alice's structs back: not a claim. His own writes are accepted.
    const bob = await join('bob')
    documentText(bob.doc, id)!.insert(0, 'Bob: ')
    await waitFor(async () => (await serverText(id)) === 'Bob: alice wrote this', 'bob edit on the server')
    expect(bob.closes).toEqual([])

    const aliceId = alice.doc.clientID
    const refuse = async () => {
      // A document that knows the room and writes under alice's client id (set before the
      // provider exists: its awareness takes the id the document has then).
      const forged = new Y.Doc()
      Y.applyUpdate(forged, Y.encodeStateAsUpdate((await server.core.room('w1/shared')).doc))
      forged.clientID = aliceId
      const forger = await join('agent-b', forged)
      forger.provider.shouldConnect = false
      documentText(forged, id)!.insert(0, 'forged ')
      await until(forger.provider, 'connection-close', () => forger.closes.length > 0, 'the forger to be cut')
      expect(forger.closes[0]).toMatchObject({ code: 1008 })
      expect(forger.closes[0].reason).toMatch(/belongs to another writer/)
      expect(await serverText(id)).toBe('Bob: alice wrote this')
    }
    await refuse()
    for (const c of joined.splice(0)) c.destroy()
    // As if the data were older than ownership records: the log tells who wrote under each id.
    server.db.prepare('DELETE FROM history_client_ids').run()
    server = await server.restart()
    await refuse()
    const { runs } = await ok<{ runs: BlameRun[] }>('alice', 'GET', `/docs/${id}/blame`)
    expect(runs.map((r) => [r.text, r.principal])).toEqual([
      ['Bob: ', 'bob'],
      ['alice wrote this', 'alice'],
    ])
  })

  it('members read history; taking versions and restoring need edit rights; bad requests say what to fix', async () => {
    await t.start({ history: { idleMs: 600_000 } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'Rights', 'text')
    await waitFor(async () => (await serverText(id)) === 'text', 'the document on the server')
    await ok('alice', 'POST', `/docs/${id}/versions`, { label: 'v' })
    for (const who of ['vic', 'rita', 'agent-a']) expect((await call(who, 'GET', `/docs/${id}/versions`)).status).toBe(200)
    for (const who of ['vic', 'rita']) {
      expect((await call(who, 'POST', `/docs/${id}/versions`, {})).status).toBe(403)
      expect((await call(who, 'POST', `/docs/${id}/restore`, { version: 1 })).status).toBe(403)
    }
    expect((await call('outsider', 'GET', `/docs/${id}/versions`)).status).toBe(404)
    // Administrators manage the server; membership decides room access.
    expect((await call('admin', 'GET', `/docs/${id}/blame`)).status).toBe(403)
    const bad = await call<{ error: { message: string } }>('bob', 'POST', `/docs/${id}/restore`, { version: 'one' })
    expect(bad.status).toBe(400)
    expect((await call('bob', 'POST', `/docs/${id}/restore`, { version: 9 })).status).toBe(404)
    expect((await call('bob', 'GET', `/docs/${id}/versions/0`)).status).toBe(400)
    expect((await call('bob', 'GET', `/docs/${id}/diff?from=1&to=7`)).status).toBe(404)
    expect((await call('bob', 'POST', `/docs/nope/versions`, {})).status).toBe(404)
    expect((await call('bob', 'POST', `/docs/${id}/versions`, { label: 'x'.repeat(201) })).status).toBe(400)
    expect(await serverText(id)).toBe('text')
  })
})

describe('undoing an accepted proposal', () => {
  it("the accept is preceded by a version, its words are the server's in the diff, and restoring that version undoes it", async () => {
    await t.start({ history: { idleMs: 600_000 } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'Claims', 'Revenue grew this year.')
    const agent = await t.agent('agent-a')
    await waitFor(() => agent.read(id) === 'Revenue grew this year.', 'the document at the agent')
    const proposal = agent.propose(id, { quote: 'this year' }, 'in 2025', 'be precise')
    await agent.flushed()
    await ok('alice', 'POST', `/proposals/agent-a/${proposal.id}/accept`, {})
    await waitFor(async () => (await serverText(id)) === 'Revenue grew in 2025.', 'the accepted proposal')

    const { versions } = await ok<{ versions: VersionMeta[] }>('vic', 'GET', `/docs/${id}/versions`)
    const before = versions.find((v) => v.reason === 'before-server-write')!
    expect(before.principal).toBe('alice')
    expect((await ok<{ text: string }>('vic', 'GET', `/docs/${id}/versions/${before.n}`)).text).toBe('Revenue grew this year.')
    const { spans } = await ok<{ spans: DiffSpan[] }>('vic', 'GET', `/docs/${id}/diff?from=${before.n}`)
    expect(spans.filter((s) => s.kind === 'inserted').map((s) => s.principal)).toEqual([SERVER_PRINCIPAL])
    expect(
      spans
        .filter((s) => s.kind === 'inserted')
        .map((s) => s.text)
        .join(''),
    ).toBe('in 2025')
    expect(spans.filter((s) => s.kind === 'deleted').every((s) => s.principal === 'alice')).toBe(true)

    await ok('bob', 'POST', `/docs/${id}/restore`, { version: before.n })
    await waitFor(() => documentText(alice.doc, id)?.toString() === 'Revenue grew this year.', 'the undo at alice')
  })
})

describe('workspace export', () => {
  it('holds the documents, the readable namespaces with their review decisions, tasks and conflicts, and nothing the caller may not read', async () => {
    await t.start({ history: { idleMs: 600_000 } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'Report', 'Revenue grew 40% this year.')
    const agent = await t.agent('agent-a')
    await waitFor(() => agent.read(id) === 'Revenue grew 40% this year.', 'the document at the agent')
    const note = agent.annotate(id, { quote: 'grew 40%' }, { label: 'unsourced', comment: 'Source for 40%?', severity: 'warning' })
    agent.propose(id, { quote: 'this year' }, 'in 2025', 'be precise')
    await agent.flushed()
    await ok('alice', 'POST', `/annotations/agent-a/${note.id}/keep`, {})
    await ok('alice', 'POST', '/tasks', { id: 'check-figures', title: 'Check the figures' })

    type Export = {
      format: string
      exportedBy: string
      documents: Array<{ id: string; title: string; text: string }>
      namespaces: Array<{ owner: string; annotations: Array<{ id: string }>; proposals: Array<{ replacement: string }>; review: { decisions: Record<string, { action: string }> } }>
      tasks: Array<{ id: string }>
      conflicts: unknown[]
    }
    const full = await ok<Export>('alice', 'GET', '/export')
    expect(full).toMatchObject({ format: 'polyphony-workspace-export', exportedBy: 'alice' })
    expect(full.documents).toEqual([{ id, title: 'Report', text: 'Revenue grew 40% this year.' }])
    const ns = full.namespaces.find((n) => n.owner === 'agent-a')!
    expect(ns.annotations.map((a) => a.id)).toEqual([note.id])
    expect(ns.proposals.map((p) => p.replacement)).toEqual(['in 2025'])
    expect(ns.review.decisions[`agent-a/${note.id}`]).toMatchObject({ action: 'keep' })
    expect(full.tasks.map((t) => t.id)).toEqual(['check-figures'])
    expect(full.conflicts).toEqual([])

    // w1 is private: an editor reads only its own namespace; the text and tasks are everyone's.
    const bobs = await ok<Export>('bob', 'GET', '/export')
    expect(bobs.namespaces.map((n) => n.owner)).toEqual(['bob'])
    expect(bobs.documents).toEqual(full.documents)
    expect(JSON.stringify(bobs)).not.toContain('Source for 40%?')
    expect((await call('outsider', 'GET', '/export')).status).toBe(404)
    expect((await call('admin', 'GET', '/export')).status).toBe(403)
  })
})

describe('workspace import', () => {
  it('an owner imports an export into an empty workspace; hostile or conflicting input is refused whole', async () => {
    const server = await t.start({ history: { idleMs: 600_000 } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'Carried', 'text to carry over')
    await waitFor(async () => (await serverText(id)) === 'text to carry over', 'the document on the server')
    const exported = await ok<Record<string, unknown>>('alice', 'GET', '/export')
    const into = (who: string, body: unknown) => httpJson<{ error?: { message: string } }>(server.url + '/api/workspaces/team/import', { method: 'POST', token: token(who), body })
    const teamDocs = async () => [...(await server.core.room('team/shared')).doc.getMap('docs').keys()]

    expect((await into('bob', exported)).status).toBe(403)
    const duplicate = { ...exported, documents: [...(exported.documents as unknown[]), ...(exported.documents as unknown[])] }
    const dup = await into('alice', duplicate)
    expect(dup.status).toBe(400)
    expect(dup.json.error?.message).toMatch(/appears twice/)
    const hostile = {
      ...exported,
      documents: [
        { id: 'fine', title: 'ok', text: 'x' },
        { id: '../escape', title: 'x', text: 'y' },
      ],
    }
    expect((await into('alice', hostile)).status).toBe(400)
    expect((await into('alice', { ...exported, format: 'something-else' })).status).toBe(400)
    expect(await teamDocs()).toEqual([])

    const done = await into('alice', exported)
    expect(done.status).toBe(201)
    expect(done.json).toMatchObject({ imported: { documents: 1 } })
    expect(documentText((await server.core.room('team/shared')).doc, id)?.toString()).toBe('text to carry over')
    expect((await httpJson<{ documents: unknown[] }>(server.url + '/api/workspaces/team/export', { token: token('alice') })).json.documents).toEqual(exported.documents)
    expect((await into('alice', exported)).status).toBe(409)
  })
})

describe('polyphony export', () => {
  it('writes the workspace as JSON to stdout; a bad token is an error on stderr', async () => {
    const server = await t.start({ history: { idleMs: 600_000 } })
    const alice = await join('alice')
    const id = createDocument(alice.doc, 'CLI', 'exported text')
    await waitFor(async () => (await serverText(id)) === 'exported text', 'the document on the server')
    const run = runCli(['export', 'w1', '--server', server.url], { env: cleanEnv({ POLYPHONY_TOKEN: token('bob') }) })
    expect((await run.exited).code).toBe(0)
    const exported = JSON.parse(run.stdout.join('\n')) as { exportedBy: string; documents: Array<{ id: string; text: string }> }
    expect(exported.exportedBy).toBe('bob')
    expect(exported.documents).toEqual([{ id, title: 'CLI', text: 'exported text' }])

    const refused = runCli(['export', 'w1', '--server', server.url, '--token', 'pp_wrong_token_0123456789abcdef'], { env: cleanEnv() })
    expect((await refused.exited).code).toBe(1)
    expect(refused.stdout.join('')).toBe('')
    expect(refused.stderr.join('\n')).toMatch(/export of w1 failed \(401\)/)
  })
})
