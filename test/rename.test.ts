// [precision] A document's identity survives renames: the text lives under a stable id and a
// rename writes only its title, so two people renaming one document while apart leave one
// document and one conflict on its title — never two copies of the text under two names.
// Through the real server: a stock WebsocketProvider renames offline while an SDK agent
// renames online.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced } from './helpers/clients.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import { watchDocuments } from '../agents/runtime/index.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'
import type { Divergences } from '../shared/review/index.ts'
import { resolveAnchor } from '../shared/anchoring/index.ts'
import { ID_PATTERN } from '../shared/rooms.ts'
import {
  checkTitle,
  createDocument,
  docsMap,
  documentText,
  findDocument,
  listDocuments,
  newDocumentId,
  renameDocument,
  titleOf,
  titlesMap,
  withLabels,
} from '../shared/documents.ts'

const t = useHarness()

const attach = async (id: string) => {
  const a = await t.agent(id)
  return a
}
const join = async (who: string) => {
  const c = t.stock('w1/shared', who)
  await synced(c)
  return c
}
const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const res = await httpJson<T>(t.server.url + path, { method, token: token('alice'), body })
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`)
  return res.json
}
const conflicts = async (query = 'status=all') => api<{ conflicts: ConflictRecord[]; titles: Record<string, string> }>('GET', `/api/workspaces/w1/conflicts?${query}`)

const BASE = 'The committee met on Tuesday. Many experts agree the budget is clearly too small. Next meeting in May.'

describe('document ids and titles (pure)', () => {
  it('new ids are short, URL-safe room-id characters and do not repeat', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newDocumentId()))
    expect(ids.size).toBe(2000)
    for (const id of ids) {
      expect(id).toMatch(/^d-[a-z0-9]{10}$/)
      expect(ID_PATTERN.test(id)).toBe(true)
      expect(encodeURIComponent(id)).toBe(id)
    }
    // A taken id is never handed out again.
    const first = newDocumentId()
    let draws = 0
    expect(newDocumentId(() => ++draws === 1)).not.toBe(first)
    expect(draws).toBe(2)
  })

  it('finds by id first, else by a unique title; equal titles ask for an id; untitled documents show their id', () => {
    const doc = new Y.Doc()
    docsMap(doc).set('announcement', new Y.Text('old'))
    const a = createDocument(doc, 'Minutes', 'a')
    const b = createDocument(doc, 'Minutes', 'b')
    expect(titleOf(doc, 'announcement')).toBe('announcement')
    expect(listDocuments(doc).map((d) => d.title)).toEqual(['announcement', 'Minutes', 'Minutes'])
    expect(findDocument(doc, 'announcement')).toEqual({ ok: true, id: 'announcement' })
    expect(findDocument(doc, a)).toEqual({ ok: true, id: a })
    const ambiguous = findDocument(doc, 'Minutes')
    expect(ambiguous.ok).toBe(false)
    const message = ambiguous.ok ? '' : ambiguous.message
    for (const part of ['2 documents are titled "Minutes"', a, b]) expect(message).toContain(part)
    expect(withLabels(listDocuments(doc)).map((d) => d.label)).toEqual(['announcement', `Minutes (${a})`, `Minutes (${b})`].sort((x, y) => x.localeCompare(y)))
    renameDocument(doc, b, 'Budget')
    expect(findDocument(doc, 'Budget')).toEqual({ ok: true, id: b })
    expect(documentText(doc, b)?.toString()).toBe('b')
    expect(checkTitle(doc, 'Budget')).toMatch(/already exists/)
    expect(checkTitle(doc, 'Budget', b)).toBeNull()
    expect(checkTitle(doc, 'announcement')).toMatch(/already exists/)
    expect(checkTitle(doc, '  ')).toMatch(/needs a title/)
    expect(checkTitle(doc, 'x'.repeat(121))).toMatch(/at most 120/)
    // Any client may write a title: a huge one is shown cut, a non-string one not at all.
    titlesMap(doc).set(a, 'y'.repeat(5000))
    expect(titleOf(doc, a)).toBe(`${'y'.repeat(120)}…`)
    titlesMap(doc).set(a, 42)
    expect(titleOf(doc, a)).toBe(a)
    // Renaming to the current title writes nothing.
    let writes = 0
    doc.on('update', () => writes++)
    renameDocument(doc, b, 'Budget')
    expect(writes).toBe(0)
  })
})

describe('renaming through the server', () => {
  it('an offline rename and a concurrent online rename leave one document, one title conflict, the text and the annotations untouched', async () => {
    await t.start()
    const bob = await join('bob')
    const id = createDocument(bob.doc, 'Minutes', BASE)
    const agent = await attach('agent-a')
    await waitFor(() => agent.documents().includes(id), 'the document at the agent')
    expect(agent.read('Minutes')).toBe(BASE)
    const note = agent.annotate('Minutes', { quote: 'Many experts agree' }, { label: 'vague', comment: 'Which experts?' })
    await agent.flushed()

    // Bob renames while offline; the agent renames the same document online meanwhile.
    bob.provider.disconnect()
    renameDocument(bob.doc, id, 'Minutes (Bob)')
    agent.rename('Minutes', 'Minutes (agent)')
    await agent.flushed()
    bob.provider.connect()
    await synced(bob)
    await waitFor(() => titleOf(bob.doc, id) === agent.title(id) && titlesMap(bob.doc).size === 1, 'both to agree on one title')

    // One document: the same id, the same text, at both; no copy under either name.
    for (const doc of [bob.doc, agent.shared]) {
      expect([...docsMap(doc).keys()]).toEqual([id])
      expect(documentText(doc, id)?.toString()).toBe(BASE)
    }
    expect(['Minutes (Bob)', 'Minutes (agent)']).toContain(titleOf(bob.doc, id))

    // One conflict, on the title, with both titles as the parties' values.
    await waitFor(async () => (await conflicts()).conflicts.length === 1, 'one conflict')
    const listed = await conflicts(`status=open&doc=${id}`)
    expect(listed.conflicts).toHaveLength(1)
    const [c] = listed.conflicts
    expect(c.kind).toBe('map-key-overwrite')
    expect(c.location).toEqual({ kind: 'map', path: ['titles', id] })
    expect(c.parties.map(({ principal, value }) => ({ principal, value }))).toEqual([
      { principal: 'agent-a', value: 'Minutes (agent)' },
      { principal: 'bob', value: 'Minutes (Bob)' },
    ])
    expect(listed.titles).toEqual({ [id]: titleOf(bob.doc, id) })

    // The annotation still references the id and sits exactly where it was made.
    const [annotation] = agent.annotations(id)
    expect(annotation.id).toBe(note.id)
    expect(annotation.doc).toBe(id)
    const placed = resolveAnchor(agent.text(id), annotation.target)
    expect(placed).toMatchObject({ status: 'exact', start: BASE.indexOf('Many experts agree') })
    const divergences = await api<Divergences>('GET', `/api/workspaces/w1/divergences?doc=${id}`)
    expect(divergences.title).toBe(titleOf(bob.doc, id))
    expect(divergences.groups.map((g) => g.range.text)).toEqual(['Many experts agree'])

    // Resolving picks one title for everyone; still one document, text unchanged.
    const resolved = await api<ConflictRecord>('POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { pick: 'bob' })
    expect(resolved.status).toBe('resolved')
    await waitFor(() => agent.title(id) === 'Minutes (Bob)' && titleOf(bob.doc, id) === 'Minutes (Bob)', 'the chosen title everywhere')
    expect(agent.read('Minutes (Bob)')).toBe(BASE)
    expect([...docsMap(bob.doc).keys()]).toEqual([id])
    expect((await conflicts('status=open')).conflicts).toEqual([])
  })

  it('a rename made after seeing the previous one is not a conflict', async () => {
    const server = await t.start()
    const bob = await join('bob')
    const id = createDocument(bob.doc, 'Plan', BASE)
    const agent = await attach('agent-a')
    await waitFor(() => agent.documents().includes(id), 'the document at the agent')
    agent.rename(id, 'Plan v2')
    await waitFor(() => titleOf(bob.doc, id) === 'Plan v2', 'bob sees the first rename')
    renameDocument(bob.doc, id, 'Plan v3')
    await waitFor(() => agent.title(id) === 'Plan v3', 'the agent sees the second rename')
    await (await server.core.room('w1/shared')).drain()
    expect((await conflicts()).conflicts).toEqual([])
    expect(agent.documentList()).toEqual([{ id, title: 'Plan v3' }])
  })

  it('a document created before titles existed keeps its name as id: renaming it moves nothing', async () => {
    await t.start()
    const agent = await attach('agent-a')
    agent.createDocument('draft', BASE) // the old way: the name is the id, no title
    const note = agent.annotate('draft', { quote: 'Next meeting' }, { comment: 'Which day?' })
    expect(agent.documentList()).toEqual([{ id: 'draft', title: 'draft' }])
    agent.rename('draft', 'Committee minutes')
    expect(() => agent.rename('draft', 'Committee minutes ')).not.toThrow() // same title: nothing to do
    await agent.flushed()
    const alice = await join('alice')
    await waitFor(() => titleOf(alice.doc, 'draft') === 'Committee minutes', 'the title at alice')
    expect([...docsMap(alice.doc).keys()]).toEqual(['draft'])
    expect(agent.read('Committee minutes')).toBe(BASE)
    expect(agent.read('draft')).toBe(BASE)
    expect(agent.annotations('Committee minutes').map((a) => a.id)).toEqual([note.id])
    const divergences = await api<Divergences>('GET', '/api/workspaces/w1/divergences?doc=draft')
    expect(divergences).toMatchObject({ doc: 'draft', title: 'Committee minutes' })
    expect(() => agent.read('minutes')).toThrow(/no document "minutes".*Committee minutes \[draft\]/)
    agent.createDocument('other', 'x', 'Other')
    expect(() => agent.rename('other', 'Committee minutes')).toThrow(/already exists/)
    expect(() => agent.createDocument('third', '', 'Other')).toThrow(/cannot create "third": A document titled “Other” already exists/)
    expect(agent.documents()).toEqual(['draft', 'other'])
  })

  it('an agent watching a document by title keeps watching it after a rename, and a rename asks for no review', async () => {
    await t.start()
    const bob = await join('bob')
    const id = createDocument(bob.doc, 'Minutes', BASE)
    const other = createDocument(bob.doc, 'Other', 'Unwatched.')
    const agent = await attach('agent-a')
    await waitFor(() => agent.documents().includes(id) && agent.documents().includes(other), 'both documents at the agent')
    const reviews: string[] = []
    const loop = watchDocuments(agent, async (doc) => void reviews.push(doc), { docs: ['Minutes'], debounceMs: 20 })
    t.defer(() => loop.stop())
    await waitFor(() => reviews.length === 1, 'the first review')
    await loop.idle()
    // The rename and an edit of the other document travel in one update: neither is reviewed.
    bob.doc.transact(() => {
      renameDocument(bob.doc, id, 'Minutes (final)')
      documentText(bob.doc, other)!.insert(0, 'Still ')
    })
    await waitFor(() => agent.title(id) === 'Minutes (final)', 'the rename at the agent')
    documentText(bob.doc, id)!.insert(0, 'Edited. ')
    // The watch loop marks a document dirty as the update arrives; idle() waits for its review.
    await waitFor(() => agent.read(id).startsWith('Edited. '), 'the edit at the agent')
    await loop.idle()
    expect(reviews).toEqual([id, id])
  })
})
