// The Conflicts tab with a real conflict: two stock y-websocket clients go offline, rewrite
// the same words differently and come back; the detector records it, the browser shows it
// live (SSE), a person keeps one side, and the text changes for every client. A concurrent
// key overwrite is resolved with a new value the same way; a reviewer sees no resolve buttons
// (and the server refuses them).

import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { token } from '../helpers/server.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { apart, connectStock, synced, type StockClient } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait.ts'
import { artifactPath, waitForEditorText } from '../helpers/browser.ts'
import type { ConflictRecord } from '../../shared/conflicts/index.ts'
import { createDocument, docsMap, documentText, renameDocument, titleOf } from '../../shared/documents.ts'

const suite = browserSuite()
const clients: StockClient[] = []
afterAll(() => clients.forEach((c) => c.destroy()))

async function join(who: string): Promise<StockClient> {
  const c = connectStock(suite.server.wsUrl, 'w1/shared', who)
  clients.push(c)
  await synced(c)
  return c
}

const minutes = (c: StockClient): Y.Text => c.doc.getMap<Y.Text>('docs').get('minutes')!

async function recordsFromApi(): Promise<ConflictRecord[]> {
  const res = await fetch(`${suite.server.url}/api/workspaces/w1/conflicts?status=all`, { headers: { authorization: `Bearer ${token('alice')}` } })
  return ((await res.json()) as { conflicts: ConflictRecord[] }).conflicts
}

describe('resolving operational conflicts in the browser', () => {
  it('shows a real text conflict live and applies the side a person keeps for everyone', async () => {
    const a = await join('agent-a')
    const b = await join('agent-b')
    a.doc.getMap('docs').set('minutes', new Y.Text('The meeting is on Tuesday at noon.'))
    await waitFor(() => minutes(b)?.toString() === 'The meeting is on Tuesday at noon.', 'agent-b to get the minutes')

    const alice = await suite.open('alice', '/w/w1/review?doc=minutes')
    const bob = await suite.open('bob', '/w/w1?doc=minutes')
    const { page } = alice
    await page.locator('[data-feed="live"]').waitFor()
    await page.getByText('Nothing to resolve here').waitFor()

    await apart(a, b, () => {
      const replace = (t: Y.Text, word: string) => {
        const at = t.toString().indexOf('Tuesday')
        t.delete(at, 'Tuesday'.length)
        t.insert(at, word)
      }
      replace(minutes(a), 'Wednesday')
      replace(minutes(b), 'Thursday')
    })

    // It arrives by the event stream: no reload, no polling (the feed stayed live).
    const card = page.locator('.conflict[data-kind="overlapping-text-edit"]')
    await card.waitFor()
    expect(await page.locator('[data-feed]').getAttribute('data-feed')).toBe('live')
    expect(await card.locator('.where').textContent()).toContain('In “minutes”, the text was: “')
    expect(await card.locator('.party[data-principal="agent-a"] .value').textContent()).toContain('Wednesday')
    expect(await card.locator('.party[data-principal="agent-b"] .value').textContent()).toContain('Thursday')
    // The list of documents counts it.
    expect(
      await page
        .getByRole('button', { name: /minutes/ })
        .locator('.badge')
        .textContent(),
    ).toBe('1')
    await page.screenshot({ path: artifactPath('review-conflicts.png') })

    await card.getByRole('button', { name: 'Keep agent-b’s version' }).click()
    const history = page.locator('.history li', { hasText: 'kept agent-b’s version' })
    await history.waitFor()
    expect(await history.textContent()).toContain('alice')

    // The shared text changed for every client: both stock clients and another browser.
    const isResolved = (s: string | undefined) => !!s && s.includes('Thursday') && !s.includes('Wednesday') && !s.includes('Tuesday')
    await waitFor(() => isResolved(minutes(a).toString()) && isResolved(minutes(b).toString()), 'both clients to get the resolution')
    expect(minutes(a).toString()).toBe(minutes(b).toString())
    await waitForEditorText(bob.page, { equals: minutes(a).toString() })
    const [record] = (await recordsFromApi()).filter((c) => c.kind === 'overlapping-text-edit')
    expect(record.status).toBe('resolved')
    expect(record.resolution).toMatchObject({ by: 'alice', choice: 'agent-b' })
    // Applying the resolution is a sequential edit (the resolver saw both versions): it must
    // open no new conflict, on the server or on screen.
    expect((await recordsFromApi()).filter((c) => c.status === 'open').map((c) => c.parties)).toEqual([])
    await page.getByText('Nothing to resolve here').waitFor()
  })

  it('resolves a concurrent key overwrite with a new value written by the person', async () => {
    const a = await join('agent-a')
    const b = await join('agent-b')
    const alice = await suite.open('alice', '/w/w1/review')
    const { page } = alice
    await page.locator('[data-feed="live"]').waitFor()

    await apart(a, b, (da, db) => {
      da.getMap('meta').set('title', 'Q3 plan (agent-a)')
      db.getMap('meta').set('title', 'Q3 plan (agent-b)')
    })
    const card = page.locator('.conflict[data-kind="map-key-overwrite"]')
    await card.waitFor()
    expect(await card.locator('.where').textContent()).toBe('Key meta › title')
    // A reviewer sees the conflict but no way to resolve it: resolving writes the shared
    // document (shared/conflicts/policy.ts), and the server refuses it too.
    const rita = await suite.open('rita', '/w/w1/review')
    const ritaCard = rita.page.locator('.conflict[data-kind="map-key-overwrite"]')
    await ritaCard.waitFor()
    expect(await ritaCard.getByRole('button').count()).toBe(0)
    expect(await ritaCard.locator('.note').textContent()).toContain('role reviewer may not resolve conflicts')
    const [open] = (await recordsFromApi()).filter((c) => c.kind === 'map-key-overwrite')
    const refused = await fetch(`${suite.server.url}/api/workspaces/w1/conflicts/${open.id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('rita')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pick: 'agent-a' }),
    })
    expect(refused.status).toBe(403)
    await card.getByRole('button', { name: 'Write a new value…' }).click()
    await card.getByLabel('New value').fill('Q3 plan')
    await card.getByRole('button', { name: 'Use this value' }).click()
    await page.locator('.history li', { hasText: 'wrote a new value' }).filter({ hasText: 'Q3 plan' }).waitFor()
    await waitFor(() => a.doc.getMap('meta').get('title') === 'Q3 plan' && b.doc.getMap('meta').get('title') === 'Q3 plan', 'the new title everywhere')
    const [record] = (await recordsFromApi()).filter((c) => c.kind === 'map-key-overwrite')
    expect(record.resolution).toMatchObject({ by: 'alice', choice: 'custom', value: 'Q3 plan' })
  })

  it('shows two concurrent renames as one conflict on the document’s title; keeping a side renames it for everyone', async () => {
    const a = await join('agent-a')
    const b = await join('agent-b')
    const id = createDocument(a.doc, 'Budget', 'Figures for Q3.')
    await waitFor(() => documentText(b.doc, id)?.toString() === 'Figures for Q3.', 'agent-b to get the budget')
    const alice = await suite.open('alice', `/w/w1/review?doc=${id}`)
    const { page } = alice
    await page.locator('[data-feed="live"]').waitFor()

    await apart(a, b, (da, db) => {
      renameDocument(da, id, 'Budget (agent-a)')
      renameDocument(db, id, 'Budget (agent-b)')
    })
    const card = page.locator('.conflict[data-kind="map-key-overwrite"]')
    await card.waitFor()
    expect(await card.locator('.where').textContent()).toMatch(new RegExp(`^Title of “Budget \\(agent-[ab]\\)” \\(document ${id}\\)$`))
    expect(await card.locator('.party[data-principal="agent-a"] .value').textContent()).toBe('Budget (agent-a)')
    expect(await card.locator('.party[data-principal="agent-b"] .value').textContent()).toBe('Budget (agent-b)')
    // Listed once, by its title, with the open conflict counted.
    const entry = page.getByRole('button', { name: /^Budget \(agent-[ab]\)/ })
    expect(await entry.count()).toBe(1)
    expect(await entry.locator('.badge').textContent()).toBe('1')

    await card.getByRole('button', { name: 'Keep agent-a’s version' }).click()
    await page.locator('.review .title', { hasText: 'Budget (agent-a)' }).waitFor()
    await page.getByRole('button', { name: 'Budget (agent-a)', exact: true }).waitFor()
    await waitFor(() => titleOf(a.doc, id) === 'Budget (agent-a)' && titleOf(b.doc, id) === 'Budget (agent-a)', 'the kept title everywhere')
    expect([...docsMap(b.doc).keys()].filter((k) => documentText(b.doc, k)?.toString() === 'Figures for Q3.')).toEqual([id])
  })

  it('falls back to refetching when the event stream is unavailable', async () => {
    const a = await join('agent-a')
    const b = await join('agent-b')
    const alice = await suite.open('alice', '/')
    const { page } = alice
    // A proxy that does not pass event streams: every /events request fails.
    await page.route('**/api/workspaces/*/events*', (route) => route.abort())
    await page.goto(`${suite.server.url}/w/w1/review`)
    await page.locator('[data-feed="polling"]').waitFor()

    await apart(a, b, (da, db) => {
      da.getMap('meta').set('schemaNote', 'v2 (agent-a)')
      db.getMap('meta').set('schemaNote', 'v3 (agent-b)')
    })
    const card = page.locator('.conflict[data-kind="map-key-overwrite"]', { hasText: 'schemaNote' })
    await card.waitFor()
    await card.getByRole('button', { name: 'Keep agent-a’s version' }).click()
    await page.locator('.history li', { hasText: 'kept agent-a’s version' }).filter({ hasText: 'v2 (agent-a)' }).waitFor()
    await waitFor(() => b.doc.getMap('meta').get('schemaNote') === 'v2 (agent-a)', 'agent-b to get the kept value')
  })
})
