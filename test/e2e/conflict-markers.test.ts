// Conflicts where people work: the Review tab carries the number of open conflicts, the
// editor marks the contested stretch, a click on it opens the review on its conflicts, and
// the review opens on readings when a document has nothing to resolve.

import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { browserSuite } from '../helpers/browserSuite.ts'
import { apart, connectStock, replaceWord, synced, type StockClient } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait.ts'
import { artifactPath, waitForEditorText } from '../helpers/browser.ts'

const suite = browserSuite()
const clients: StockClient[] = []
afterAll(() => clients.forEach((c) => c.destroy()))

async function join(who: string): Promise<StockClient> {
  const c = connectStock(suite.server.wsUrl, 'w1/shared', who)
  clients.push(c)
  await synced(c)
  return c
}

const text = (c: StockClient, doc: string): Y.Text => c.doc.getMap<Y.Text>('docs').get(doc)!

describe('conflicts where people work', () => {
  it('badges the Review tab, marks the contested words and opens the review on them', async () => {
    const a = await join('agent-a')
    const b = await join('agent-b')
    a.doc.getMap('docs').set('minutes', new Y.Text('The meeting is on Tuesday at noon.'))
    a.doc.getMap('docs').set('calm', new Y.Text('Nothing contested here.'))
    await waitFor(() => text(b, 'minutes')?.toString() === 'The meeting is on Tuesday at noon.', 'agent-b to get the minutes')

    const { page } = await suite.open('alice', '/w/w1?doc=minutes')
    await waitForEditorText(page, { equals: 'The meeting is on Tuesday at noon.' })
    expect(await page.locator('[data-open-conflicts]').count()).toBe(0)

    // Both rewrite the same word while apart.
    await apart(a, b, () => {
      replaceWord(text(a, 'minutes'), 'Tuesday', 'Wednesday')
      replaceWord(text(b, 'minutes'), 'Tuesday', 'Thursday')
    })

    const badge = page.getByRole('link', { name: /Review, 1 open conflict/ })
    await badge.waitFor()
    expect(await page.locator('[data-open-conflicts]').innerText()).toContain('1')
    const marker = page.locator('.cm-content [data-conflict]').first()
    await marker.waitFor()
    const marked = await page.locator('.cm-content .pp-conflict').allInnerTexts()
    expect(marked.join('')).toMatch(/Wednesday|Thursday/)
    expect(await marker.getAttribute('title')).toMatch(/agent-a(, | and ).*agent-b.* changed this at the same time/)
    await page.screenshot({ path: artifactPath('conflict-marker.png') })

    // A click on the contested words opens the review on this document's conflicts.
    await marker.click()
    await page.waitForURL(/\/review\?doc=minutes/)
    await page.locator('.conflict[data-kind="overlapping-text-edit"]').waitFor()
    expect(await page.getByRole('tab', { name: 'Conflicts' }).getAttribute('aria-selected')).toBe('true')

    // A document with nothing to resolve: the Review tab opens its readings.
    await page.getByRole('link', { name: 'Documents' }).click()
    await page.locator('.doclist .open', { hasText: 'calm' }).click()
    await waitForEditorText(page, { equals: 'Nothing contested here.' })
    await page.getByRole('link', { name: /^Review/ }).click()
    await page.getByRole('tab', { name: 'Readings' }).waitFor()
    expect(await page.getByRole('tab', { name: 'Readings' }).getAttribute('aria-selected')).toBe('true')

    // Resolving clears the badge and the marker.
    await page.getByRole('link', { name: 'Documents' }).click()
    await page.locator('.doclist .open', { hasText: 'minutes' }).click()
    await page.locator('.cm-content [data-conflict]').first().waitFor()
    await page.getByRole('link', { name: /^Review/ }).click()
    const card = page.locator('.conflict[data-kind="overlapping-text-edit"]')
    await card.waitFor()
    await card.getByRole('button', { name: /Keep/ }).first().click()
    await page.locator('[data-open-conflicts]').waitFor({ state: 'detached' })
    await page.getByRole('link', { name: 'Documents' }).click()
    await waitForEditorText(page, { includes: ['The meeting is on'] })
    expect(await page.locator('.cm-content [data-conflict]').count()).toBe(0)
  })
})
