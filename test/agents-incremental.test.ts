// [review] Incremental review: an agent reviews, a person edits one paragraph, the agent
// re-reviews only that paragraph, and its new reading supersedes its older one of the same
// stretch. The old reading stays in the namespace (history), marked; divergences hide it unless
// asked. Real server, stock client for the person, the SDK for the agent, the fake Messages API
// for the model.

import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import type { Agent } from '../agents/index.ts'
import { claimsReviewer, clarityReviewer, type OfflineReviewer } from '../agents/reviewers/index.ts'
import { runModelReview, runOfflineReview, watchDocuments, workspaceToolsFor, type OfflineReviewResult } from '../agents/runtime/index.ts'
import { testLlmAgent } from './helpers/llmAgent.ts'
import { parseAnnotation, type Annotation } from '../shared/annotations.ts'
import { READING_LIMITS, type Divergences } from '../shared/review/index.ts'
import { token, type TestServer } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { httpJson } from './helpers/http.ts'
import { tempStoreDir } from './helpers/agents.ts'
import { synced } from './helpers/clients.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { waitFor } from './helpers/wait.ts'
import { PARAGRAPH_1, PARAGRAPH_2, PARAGRAPH_3, REVIEW_DOC, REVIEW_TEXT } from './fixtures/agents-text.ts'

let api: FakeMessagesApi | undefined
const t = useHarness()

/** agent-a with the review text, and bob (a stock client) ready to edit it. */
async function setup() {
  const server = await t.start()
  const agent = await t.agent('agent-a')
  agent.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await agent.flushed()
  const bob = t.stock('w1/shared', 'bob')
  await synced(bob)
  await waitFor(() => bob.doc.getMap('docs').has(REVIEW_DOC), 'the document at bob')
  const bobText = () => bob.doc.getMap('docs').get(REVIEW_DOC) as Y.Text
  return { server, agent, bobText }
}

/** What the server holds in agent-a's namespace. */
async function stored(s: TestServer): Promise<Annotation[]> {
  const map = (await s.core.room('w1/ns/agent-a')).doc.getMap('annotations')
  return [...map.values()].flatMap((v) => parseAnnotation(v) ?? [])
}

describe('incremental review', () => {
  it('the review loop re-reads only the paragraph a person edited; the new reading supersedes the old, divergences hide it unless asked', async () => {
    const { server, agent, bobText } = await setup()
    // The heuristic itself records what it was given to read.
    const seen: string[] = []
    const recording: OfflineReviewer = { ...clarityReviewer, review: (text) => (seen.push(text), clarityReviewer.review(text)) }
    const results: OfflineReviewResult[] = []
    const loop = watchDocuments(agent, async (doc) => void results.push(await runOfflineReview(agent, recording, doc)), { debounceMs: 20 })
    t.defer(() => loop.stop())
    await waitFor(() => results.length === 1, 'the first review')
    await loop.idle()
    expect(seen).toEqual([REVIEW_TEXT])
    const first = results[0]!
    expect(first.read).toEqual([{ start: 0, end: REVIEW_TEXT.length }])
    const before = await agent.divergences(REVIEW_DOC)
    const oldLong = agent.annotations(REVIEW_DOC).find((a) => a.body.label === 'long-sentence')!
    expect(oldLong.body.comment).toMatch(/40 words/)

    // Bob adds one word to the second paragraph.
    const at = REVIEW_TEXT.indexOf('we watch') + 'we '.length
    bobText().insert(at, 'carefully ')
    await waitFor(() => results.length === 2, 'the review after bob edited')
    await loop.idle()
    const edited = PARAGRAPH_2.replace('we watch', 'we carefully watch')
    // Only that paragraph was read again, and nothing else.
    expect(seen).toEqual([REVIEW_TEXT, edited])
    const now = agent.read(REVIEW_DOC)
    const second = results[1]!
    expect(second.read).toEqual([{ start: now.indexOf(edited), end: now.indexOf(edited) + edited.length }])
    expect(second.superseded).toBe(1)

    await agent.flushed()
    const all = await stored(server)
    const newLong = all.find((a) => a.body.label === 'long-sentence' && a.id !== oldLong.id)!
    expect(newLong.body.comment).toMatch(/41 words/)
    // The old reading is kept (history), marked as superseded by the new one.
    expect(all.find((a) => a.id === oldLong.id)?.supersededBy).toBe(newLong.id)
    // The unchanged filler reading in the same paragraph was read again, not replaced.
    const filler = all.find((a) => a.body.label === 'filler' && a.target.quote.exact === 'very')!
    expect(filler.supersededBy).toBeUndefined()
    // Readings in untouched paragraphs stand.
    expect(all.filter((a) => a.supersededBy !== undefined).map((a) => a.id)).toEqual([oldLong.id])

    const ids = (d: Awaited<ReturnType<Agent['divergences']>>) => d.groups.flatMap((g) => g.readings.flatMap((r) => r.annotations.map((a) => a.id)))
    const hidden = await agent.divergences(REVIEW_DOC)
    expect(hidden.superseded).toBe(1)
    expect(ids(hidden)).not.toContain(oldLong.id)
    expect(ids(hidden)).toContain(newLong.id)
    // As many readings as before the edit: they did not pile up.
    expect(ids(hidden)).toHaveLength(ids(before).length)
    const shown = await agent.divergences(REVIEW_DOC, { showSuperseded: true })
    const old = shown.groups.flatMap((g) => g.readings.flatMap((r) => r.annotations)).find((a) => a.id === oldLong.id)
    expect(old?.supersededBy).toBe(newLong.id)

    // An edit that changes nothing the reviewer reads again asks it to read nothing.
    bobText().insert(bobText().length, '\n\n')
    await waitFor(() => results.length === 3, 'the review after a blank edit')
    await loop.idle()
    expect(results[2]!.read).toEqual([])
    expect(seen).toHaveLength(2)
  })

  it('a model re-reviewing after an edit is sent only the changed paragraph; its new reading supersedes the old', async () => {
    const { server, agent, bobText } = await setup()
    api = t.own(await startFakeMessagesApi())
    const llm = testLlmAgent(api, {
      role: 'reviewer',
      name: 'agent-a',
      retry: { maxRetries: 0, initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
      tools: workspaceToolsFor(agent),
    })
    t.own(llm)
    const reading = (comment: string) => ({ doc: REVIEW_DOC, quote: 'always faster', label: 'overclaim', comment })
    api.script(step.toolUse({ name: 'annotate', input: reading('Faster on which workloads?') }), step.text('One overclaim.'))
    const first = await runModelReview(agent, llm, REVIEW_DOC)
    expect(first).toMatchObject({ outcome: 'completed', superseded: 0 })
    const firstRequest = JSON.stringify(api.requests[0]!.body.messages[0].content)
    for (const p of [PARAGRAPH_1, PARAGRAPH_2, PARAGRAPH_3]) expect(firstRequest).toContain(p.slice(0, 40))
    const oldId = first.writes[0]!.id

    // Nothing changed: no model call at all.
    const idle = await runModelReview(agent, llm, REVIEW_DOC)
    expect(idle).toMatchObject({ outcome: 'completed', turns: 0, read: [] })
    expect(api.requests).toHaveLength(2)

    // Bob appends a sentence to the first paragraph.
    bobText().insert(PARAGRAPH_1.length, ' Benchmarks are pending.')
    await waitFor(() => agent.read(REVIEW_DOC).includes('Benchmarks are pending.'), "bob's edit at the agent")
    api.script(step.toolUse({ name: 'annotate', input: reading('Benchmarks are pending, so this is not shown yet.') }), step.text('Still an overclaim.'))
    const again = await runModelReview(agent, llm, REVIEW_DOC)
    expect(again).toMatchObject({ outcome: 'completed', superseded: 1 })
    const request = String(api.requests[2]!.body.messages[0].content)
    expect(request).toContain(`${PARAGRAPH_1} Benchmarks are pending.`)
    expect(request).not.toContain(PARAGRAPH_2.slice(0, 30))
    expect(request).not.toContain(PARAGRAPH_3)
    expect(request).toMatch(/changed since your last review/)

    await agent.flushed()
    const all = await stored(server)
    const newId = again.writes[0]!.id
    expect(all.find((a) => a.id === oldId)?.supersededBy).toBe(newId)
    expect((await agent.divergences(REVIEW_DOC)).groups.flatMap((g) => g.readings.flatMap((r) => r.annotations.map((a) => a.id)))).toEqual([newId])
  })
})

describe('incremental review across a restart', () => {
  it('an agent with a local store re-reads only what changed while it was away', async () => {
    const { agent, bobText } = await setup()
    const storeDir = tempStoreDir()
    const first = await t.agent('agent-b', { storeDir })
    await waitFor(() => first.documents().includes(REVIEW_DOC), 'the document at agent-b')
    const seen: string[] = []
    const recording: OfflineReviewer = { ...clarityReviewer, review: (text) => (seen.push(text), clarityReviewer.review(text)) }
    await runOfflineReview(first, recording, REVIEW_DOC)
    await first.flushed()
    first.close()

    // While agent-b is away, bob edits the last paragraph.
    bobText().insert(REVIEW_TEXT.length, ' Nobody disagrees.')
    await waitFor(() => agent.read(REVIEW_DOC).endsWith('Nobody disagrees.'), "bob's edit at agent-a")
    const again = await t.agent('agent-b', { storeDir })
    await again.whenSynced()
    await waitFor(() => again.documents().includes(REVIEW_DOC) && again.read(REVIEW_DOC).endsWith('Nobody disagrees.'), 'the edit at the restarted agent')
    await runOfflineReview(again, recording, REVIEW_DOC)
    expect(seen).toEqual([REVIEW_TEXT, `${PARAGRAPH_3} Nobody disagrees.`])
    // Another lens has read nothing yet: the same agent with another reviewer reads everything.
    const other: string[] = []
    await runOfflineReview(again, { ...claimsReviewer, review: (text) => (other.push(text), claimsReviewer.review(text)) }, REVIEW_DOC)
    expect(other).toEqual([again.read(REVIEW_DOC)])
  })
})

describe('supersedes through the SDK', () => {
  it('an agent supersedes only its own readings of the same document; a bad id writes nothing', async () => {
    const { server, agent } = await setup()
    const other = await t.agent('agent-b')
    await waitFor(() => other.documents().includes(REVIEW_DOC), 'the document at agent-b')
    const theirs = other.annotate(REVIEW_DOC, { quote: 'always faster' }, { label: 'overclaim', comment: 'Whose benchmark?' })
    const old = agent.annotate(REVIEW_DOC, { quote: 'always faster' }, { label: 'overclaim', comment: 'Which workloads?' })

    expect(() => agent.annotate(REVIEW_DOC, { quote: 'always faster' }, { comment: 'Not theirs.' }, { supersedes: [theirs.id] })).toThrow(/agent-a's namespace/)
    expect(() => agent.annotate(REVIEW_DOC, { quote: 'always faster' }, { comment: 'Too many.' }, { supersedes: Array.from({ length: 65 }, (_, i) => `a-${i}`) })).toThrow(
      /at most 64/,
    )
    expect(agent.annotations(REVIEW_DOC)).toHaveLength(1)

    const newer = agent.annotate(
      REVIEW_DOC,
      { quote: 'is always faster' },
      { label: 'overclaim', comment: 'Faster than the old one on which workloads?' },
      { supersedes: [old.id] },
    )
    expect(() => agent.supersede([newer.id], newer.id)).toThrow(/itself/)
    await agent.flushed()
    await other.flushed()
    expect((await stored(server)).find((a) => a.id === old.id)?.supersededBy).toBe(newer.id)
    // agent-b's reading is untouched; alice (owner, reads both namespaces) sees one current reading per agent.
    const url = `${server.url}/api/workspaces/w1/divergences?doc=${encodeURIComponent(REVIEW_DOC)}`
    const d = (await httpJson<Divergences>(url, { token: token('alice') })).json
    expect(d.superseded).toBe(1)
    expect(d.groups.flatMap((g) => g.readings.map((r) => [r.principal, r.annotations.map((a) => a.id)]))).toEqual([
      ['agent-a', [newer.id]],
      ['agent-b', [theirs.id]],
    ])
    const shown0 = (await httpJson<Divergences>(`${url}&superseded=show`, { token: token('alice') })).json
    expect(shown0.groups.flatMap((g) => g.readings.flatMap((r) => r.annotations.map((a) => [a.id, a.supersededBy ?? null])))).toEqual(
      expect.arrayContaining([
        [old.id, newer.id],
        [newer.id, null],
        [theirs.id, null],
      ]),
    )
    // A misspelt flag is refused, saying what it takes.
    const bad = await httpJson<{ error: string }>(`${url}&superseded=yes`, { token: token('alice') })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.json)).toMatch(/hide|show/)
  })

  it('history is bounded: at the per-document cap the oldest superseded reading makes room, and without one the write is refused', async () => {
    const { agent } = await setup()
    const words = REVIEW_TEXT.split(' ')
    // One quote per word position: distinct readings, the first superseded by the second.
    const at = (i: number) => ({
      start: REVIEW_TEXT.split(' ').slice(0, i).join(' ').length + (i ? 1 : 0),
      end: REVIEW_TEXT.split(' ')
        .slice(0, i + 1)
        .join(' ').length,
    })
    const first = agent.annotate(REVIEW_DOC, at(0), { comment: 'first' })
    agent.annotate(REVIEW_DOC, at(0), { comment: 'second' }, { supersedes: [first.id] })
    for (let i = 2; i < READING_LIMITS.perNamespaceDoc; i++) agent.annotate(REVIEW_DOC, at(i % words.length), { comment: `reading ${i}` })
    expect(agent.annotations(REVIEW_DOC)).toHaveLength(READING_LIMITS.perNamespaceDoc)
    const extra = agent.annotate(REVIEW_DOC, at(1), { comment: 'one more' })
    expect(extra.created).toBe(true)
    const ids = agent.annotations(REVIEW_DOC).map((a) => a.id)
    expect(ids).toHaveLength(READING_LIMITS.perNamespaceDoc)
    expect(ids).not.toContain(first.id)
    expect(() => agent.annotate(REVIEW_DOC, at(2), { comment: 'beyond' })).toThrow(/at most 200/)
  })
})
