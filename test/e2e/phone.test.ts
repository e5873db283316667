// Phone width (390×844): the open document's text starts near the top, nothing scrolls
// sideways, and tapping a stretch in Readings brings its readings into view.

import { describe, expect, it } from 'vitest'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath, waitForEditorText } from '../helpers/browser.ts'
import { token } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'

const suite = browserSuite()
// The annotated stretch comes first and a long text follows: its readings start far below it.
const TEXT = [
  'Launch plan for the spring release.',
  'Revenue grew 40% last year, so the launch budget doubles.',
  ...Array.from({ length: 14 }, (_, i) => `Step ${i + 1} of the plan is described here in one plain sentence.`),
].join('\n\n')

describe('phone width', () => {
  it('starts the editor near the top and brings tapped readings into view', async () => {
    const a = await connectTestAgent(suite.server, 'agent-a', { role: 'fact-checker' })
    const b = await connectTestAgent(suite.server, 'agent-b', { role: 'copy editor' })
    suite.agents.push(a, b)
    a.createDocument('plan', TEXT)
    await a.flushed()
    a.annotate('plan', { quote: 'Revenue grew 40% last year' }, { label: 'unsourced', comment: 'Which report says 40%?' })
    await a.flushed()
    await waitFor(() => b.documents().includes('plan'), 'agent-b to see the plan')
    b.annotate('plan', { quote: '40% last year, so the launch budget' }, { label: 'logic', comment: 'Growth alone does not justify doubling.' })
    await b.flushed()

    const context = await suite.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/w/w1?doc=plan#token=${encodeURIComponent(token('alice'))}`)
    await waitForEditorText(page, { includes: ['Launch plan'] })
    const textTop = (await page.locator('.cm-content').boundingBox())!.y
    expect(textTop, 'the text starts in the upper third of the screen').toBeLessThan(844 / 3)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: artifactPath('phone-editor.png') })

    await page.goto(`${suite.server.url}/w/w1/review?doc=plan&view=readings`)
    const stretch = page.locator('.stretch').first()
    await stretch.waitFor()
    await stretch.tap()
    await page.locator('.detail .column').first().waitFor()
    // The readings (not the text) are what is on screen now.
    await page.waitForFunction(() => {
      const box = document.querySelector('.detail .column')!.getBoundingClientRect()
      return box.top >= -1 && box.top < window.innerHeight - 100
    })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: artifactPath('phone-readings.png') })
    await context.close()
  })
})
