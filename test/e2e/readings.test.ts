// The Readings tab: two agents' overlapping annotations form one stretch shown side by side,
// a disjoint one stays alone; filters, the agreement summary and "changed since annotated"
// follow live edits of the text and the namespaces.

import { describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait.ts'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath } from '../helpers/browser.ts'

const suite = browserSuite()
const { agents } = suite

const TEXT = 'Revenue grew 40% last year. Most customers renewed. The team doubled in size.'

describe('readings side by side', () => {
  it('groups two agents’ overlapping annotations and keeps each reading', async () => {
    const a = await connectTestAgent(suite.server, 'agent-a', { role: 'skeptic' })
    const b = await connectTestAgent(suite.server, 'agent-b', { role: 'editor' })
    agents.push(a, b)
    a.createDocument('report', TEXT)
    await a.flushed()
    // Durable on the server does not mean delivered to b yet: wait for the document itself.
    await waitFor(() => b.documents().includes('report'), 'agent-b to receive the report')
    // Overlapping: "grew 40%" and "Revenue grew 40% last year"; disjoint: "The team doubled".
    a.annotate('report', { quote: 'grew 40%' }, { label: 'unsourced', comment: 'Source for 40%?' })
    b.annotate('report', { quote: 'Revenue grew 40% last year' }, { label: 'unsourced', comment: 'Which figures?' })
    b.annotate('report', { quote: 'Revenue grew 40% last year' }, { label: 'clarity', comment: 'Say revenue of what.' })
    a.annotate('report', { quote: 'The team doubled' }, { label: 'vague', comment: 'From how many?' })
    await Promise.all([a.flushed(), b.flushed()])

    const alice = await suite.open('alice', '/w/w1/review?doc=report&view=readings')
    const { page } = alice
    const summary = page.locator('.summary')
    await page.locator('.summary[data-stretches="2"][data-several="1"][data-single="1"]').waitFor()
    expect(await summary.textContent()).toContain('1 with one reading')

    // The shared stretch covers both anchors; selecting it shows one column per agent.
    const shared = page.locator('.stretch[data-readers="2"]')
    expect(await shared.textContent()).toBe('Revenue grew 40% last year')
    await shared.click()
    const columns = page.locator('.columns .column')
    await columns.nth(1).waitFor()
    expect(await columns.evaluateAll((els) => els.map((e) => e.getAttribute('data-principal')))).toEqual(['agent-a', 'agent-b'])
    const colA = page.locator('.column[data-principal="agent-a"]')
    const colB = page.locator('.column[data-principal="agent-b"]')
    expect(await colA.textContent()).toContain('Source for 40%?')
    expect(await colA.textContent()).not.toContain('Which figures?')
    expect(await colB.textContent()).toContain('Which figures?')
    expect(await colB.textContent()).toContain('Say revenue of what.')
    // Both used "unsourced" (in the default vocabulary's "unsupported" group); only agent-b said "clarity".
    expect(await page.locator('.agreement .agree').textContent()).toMatch(/All agree: unsupported \(unsourced\) — same label/)
    expect(await page.locator('.agreement .differ').textContent()).toMatch(/Only agent-b: .*clarity/)
    // Quoted text differing from the stretch is shown with the annotation.
    expect(await colA.textContent()).toContain('on “grew 40%”')
    await page.screenshot({ path: artifactPath('review-readings.png') })

    // Filter by author: without agent-b the stretch has one reader.
    await page.getByRole('group', { name: 'Filter readings' }).getByLabel('agent-b').uncheck()
    await page.locator('.stretch[data-readers="1"]', { hasText: 'grew 40%' }).waitFor()
    expect(await page.locator('.stretch[data-readers="2"]').count()).toBe(0)
    await page.getByRole('group', { name: 'Filter readings' }).getByLabel('agent-b').check()
    // Filter by label: only "vague" leaves the disjoint stretch.
    await page.getByLabel('Label').selectOption('vague')
    await page.locator('.stretch', { hasText: 'The team doubled' }).waitFor()
    expect(await page.locator('.stretch').count()).toBe(1)
    await page.getByLabel('Label').selectOption('')
    // Filter by agreement: each choice's count is what it lists.
    for (const kind of ['one-reading', 'full', 'differ', 'partial']) {
      await page.getByLabel('Agreement').selectOption(kind)
      const count = Number(await page.locator(`option[value="${kind}"]`).getAttribute('data-count'))
      await waitFor(async () => (await page.locator('.stretch').count()) === count, `${kind}: ${count} stretches listed`)
    }
    expect(await page.locator('.summary').getAttribute('data-full')).toBe('1')
    await page.getByLabel('Agreement').selectOption('')
    await page.locator('.stretch[data-readers="2"]').click()

    // Live: the text under agent-a's quote changes → marked "changed since annotated".
    a.replace('report', { quote: '40%' }, '38%')
    await colA.locator('.marker.changed').waitFor()
    // Both of agent-b's annotations quote the changed words too.
    expect(await colB.locator('.marker.changed').count()).toBe(2)
    // Live: a new reading by agent-b on the disjoint stretch makes it "several".
    b.annotate('report', { quote: 'team doubled in size' }, { label: 'vague', comment: 'Headcount, please.' })
    await page.locator('.summary[data-stretches="2"][data-several="2"][data-single="0"]').waitFor()
  })
})
