// [review] Actions on interpretive differences through the real server: keep, reply, promote
// (an attributed write of a shared note), who may take them, and how the divergences API and
// the review room show them. Nothing is ever "resolved" here.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced } from './helpers/clients.ts'
import { httpJson, type JsonResponse } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import type { Divergences, PlacedAnnotation } from '../shared/review/index.ts'

const t = useHarness()

const TEXT = 'Revenue grew 40% last year. Most customers renewed. The team doubled in size.'

const api = <T = { error: { code: string; message: string } }>(who: string, method: string, path: string, body?: unknown): Promise<JsonResponse<T>> =>
  httpJson<T>(t.server.url + path, { method, token: token(who), body })

/** agent-a writes the report and one annotation in workspace `ws`. */
async function setup(ws = 'w1') {
  await t.start()
  const a = await t.agent('agent-a', { workspace: ws })
  a.createDocument('report', TEXT)
  const { id } = a.annotate('report', { quote: 'grew 40%' }, { label: 'unsourced', comment: 'Source for 40%?', severity: 'warning' })
  await a.flushed()
  return { a, id, path: (action: string) => `/api/workspaces/${ws}/annotations/agent-a/${id}/${action}` }
}

const annotationIn = (d: Divergences, id: string): PlacedAnnotation | undefined => d.groups.flatMap((g) => g.readings.flatMap((r) => r.annotations)).find((x) => x.id === id)

describe('keep and reply', () => {
  it('a reviewer keeps and replies; the namespace’s review room and the divergences API show both, live', async () => {
    const { id, path } = await setup()
    // The decisions about agent-a's readings live in agent-a's review room, readable by whoever may read the namespace.
    const review = t.stock('w1/review/agent-a', 'alice')
    await synced(review)

    const kept = await api<{ decision: { action: string; by: string } }>('rita', 'POST', path('keep'))
    expect(kept.status).toBe(200)
    expect(kept.json.decision).toMatchObject({ action: 'keep', by: 'rita' })
    const replied = await api<{ reply: { id: string; target: string; author: string; text: string } }>('rita', 'POST', path('reply'), { text: 'Agreed, ask finance.' })
    expect(replied.status).toBe(201)
    expect(replied.json.reply).toMatchObject({ target: `agent-a/${id}`, author: 'rita', text: 'Agreed, ask finance.' })
    // Retrying the same reply is the same reply, not a duplicate.
    const again = await api<{ reply: { id: string } }>('rita', 'POST', path('reply'), { text: 'Agreed, ask finance.' })
    expect(again.json.reply.id).toBe(replied.json.reply.id)

    // Those who may read the namespace see its review room live.
    await waitFor(() => review.doc.getMap('decisions').has(`agent-a/${id}`) && review.doc.getMap('replies').size === 1, 'the review room to show keep and reply')
    expect(review.doc.getMap('decisions').get(`agent-a/${id}`)).toMatchObject({ action: 'keep', by: 'rita' })

    const d = await api<Divergences>('alice', 'GET', '/api/workspaces/w1/divergences?doc=report')
    const ann = annotationIn(d.json, id)!
    expect(ann.decision).toMatchObject({ action: 'keep', by: 'rita' })
    expect(ann.replies?.map((r) => r.text)).toEqual(['Agreed, ask finance.'])
    // The review room records who wrote it: the acting person.
    const history = await t.server.storage.history('w1/review/agent-a')
    expect(history.map((h) => h.principal)).toEqual(['rita', 'rita'])
  })

  it('only those who may read the namespace and write the review room act', async () => {
    const { path } = await setup()
    // w1 is private: bob (editor) cannot read agent-a's namespace → it does not exist for him.
    expect((await api('bob', 'POST', path('keep'))).status).toBe(404)
    expect((await api('vic', 'POST', path('reply'), { text: 'hi' })).status).toBe(404)
    expect((await api('outsider', 'POST', path('keep'))).status).toBe(404)
    expect((await api('rita', 'POST', path('reply'), { text: '   ' })).status).toBe(400)
    expect((await api('rita', 'POST', path('keep'), { extra: 1 })).status).toBe(400)
    expect((await api('alice', 'POST', '/api/workspaces/w1/annotations/agent-a/a-nope/keep')).status).toBe(404)
    // A reviewer may keep and reply, but promoting writes the shared document: owners and editors only.
    const promote = await api('rita', 'POST', path('promote'))
    expect(promote.status).toBe(403)
    expect(promote.json.error.code).toBe('forbidden')
  })

  it('in a team workspace a viewer reads the namespace but may not act', async () => {
    const { path } = await setup('team')
    const res = await api('vic', 'POST', path('keep'))
    expect(res.status).toBe(403)
    expect(res.json.error.message).toContain('viewers')
    // Another agent may keep and reply to a reading it can see.
    const b = await t.agent('agent-b', { workspace: 'team' })
    const id = path('keep').split('/')[6]
    expect(await b.keep('agent-a', id)).toMatchObject({ action: 'keep', by: 'agent-b' })
    expect(await b.reply('agent-a', id, 'I read it the same way.')).toMatchObject({ author: 'agent-b' })
    const d = await b.divergences('report')
    expect(annotationIn(d, id)?.replies?.map((r) => r.author)).toEqual(['agent-b'])
  })
})

describe('promote to a shared note', () => {
  it('copies the annotation into the shared notes as an edit attributed to the person', async () => {
    const { id, path } = await setup()
    const watcher = t.stock('w1/shared', 'bob')
    await synced(watcher)
    const before = (await t.server.storage.history('w1/shared')).length

    const res = await api<{ decision: { action: string; by: string; note: string }; note: Record<string, unknown> }>('alice', 'POST', path('promote'))
    expect(res.status).toBe(200)
    expect(res.json.decision).toMatchObject({ action: 'promote', by: 'alice', note: `agent-a/${id}` })
    const expected = {
      kind: 'promoted-annotation',
      doc: 'report',
      quote: 'grew 40%',
      comment: 'Source for 40%?',
      label: 'unsourced',
      severity: 'warning',
      author: 'agent-a',
      promotedBy: 'alice',
    }
    expect(res.json.note).toMatchObject(expected)
    await waitFor(() => watcher.doc.getMap('notes').has(`agent-a/${id}`), 'the note to reach another client')
    expect(watcher.doc.getMap('notes').get(`agent-a/${id}`)).toMatchObject(expected)

    const history = await t.server.storage.history('w1/shared')
    expect(history.slice(before).map((h) => h.principal)).toEqual(['alice'])
    // Promoting again rewrites nothing; keeping after promoting keeps the promotion.
    expect((await api('alice', 'POST', path('promote'))).status).toBe(200)
    expect((await t.server.storage.history('w1/shared')).length).toBe(before + 1)
    const keep = await api<{ decision: { action: string } }>('alice', 'POST', path('keep'))
    expect(keep.json.decision.action).toBe('promote')
    const text = (watcher.doc.getMap('docs').get('report') as Y.Text).toString()
    expect(text).toBe(TEXT) // a note, not an edit of the text
  })
})
