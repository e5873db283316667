// Notes beside the text: each note sits level with its stretch, in text order, never
// overlapping, scrolling with the text; a click on a highlight brings its note forward and a
// click on a note selects its stretch; overlapping readers show as separate bands with a count;
// a new note appears where it was made.

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { waitFor } from '../helpers/wait.ts'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath, waitForConnection, waitForEditorText } from '../helpers/browser.ts'

const suite = browserSuite()

const PARAGRAPHS = Array.from({ length: 8 }, (_, i) => `Paragraph ${i + 1} explains one step of the plan in a sentence or two of ordinary prose.`)
PARAGRAPHS[1] = 'Revenue grew 40% last year, so the budget for the launch doubles.'
PARAGRAPHS[6] = 'Support will answer every ticket within one hour during launch week.'
const TEXT = PARAGRAPHS.join('\n\n')

/** Top of a highlight and of its note, in viewport px. */
async function tops(page: Page, id: string): Promise<{ mark: number; note: number }> {
  return page.evaluate((id) => {
    const mark = document.querySelector(`.pp-annotation[data-annotations~="${id}"]`)!.getBoundingClientRect()
    const note = document.querySelector(`.margin [data-annotation="${id}"]`)!.getBoundingClientRect()
    return { mark: mark.top, note: note.top }
  }, id)
}

describe('notes in the margin', () => {
  it('places notes beside their text, in order, following scroll, with overlaps counted', async () => {
    const a = await connectTestAgent(suite.server, 'agent-a', { role: 'fact-checker' })
    const b = await connectTestAgent(suite.server, 'agent-b', { role: 'copy editor' })
    suite.agents.push(a, b)
    a.createDocument('plan', TEXT)
    await a.flushed()
    await waitFor(() => b.documents().includes('plan'), 'agent-b to see the plan')
    const revenue = a.annotate('plan', { quote: 'Revenue grew 40% last year' }, { label: 'unsourced', comment: 'Which report says 40%?' })
    const logic = b.annotate('plan', { quote: '40% last year, so the budget' }, { label: 'logic', comment: 'Growth alone does not justify doubling.' })
    const promise = a.annotate('plan', { quote: 'within one hour' }, { label: 'risky promise', comment: 'Staffing plan needed.' })
    await Promise.all([a.flushed(), b.flushed()])

    const { page } = await suite.open('alice', '/w/w1?doc=plan')
    await waitForEditorText(page, { includes: ['Paragraph 8'] })
    for (const id of [revenue.id, logic.id, promise.id]) await page.locator(`.margin [data-annotation="${id}"]`).waitFor()
    await waitForConnection(page, 'saved')

    // The author shown is the namespace owner.
    expect(await page.locator(`.margin [data-annotation="${revenue.id}"]`).getAttribute('data-author')).toBe('agent-a')
    expect(await page.locator(`.margin [data-annotation="${revenue.id}"] .author`).innerText()).toBe('agent-a')

    // Level with the text: the first note at its line; the overlapping second one just below it.
    const first = await tops(page, revenue.id)
    expect(Math.abs(first.note - first.mark)).toBeLessThan(12)
    const second = await tops(page, logic.id)
    expect(second.note).toBeGreaterThan(first.note)
    // Notes never overlap once laid out: both read in one frame (a note that grows is re-measured
    // by a ResizeObserver and the stack re-placed, so two separate reads could straddle that).
    const apart = () =>
      page.evaluate(
        ([upper, lower]) => {
          const a = document.querySelector(`.margin [data-annotation="${upper}"]`)!.getBoundingClientRect()
          const b = document.querySelector(`.margin [data-annotation="${lower}"]`)!.getBoundingClientRect()
          return b.top >= a.bottom
        },
        [revenue.id, logic.id] as const,
      )
    await waitFor(apart, 'the second note to sit below the first, not over it', 5_000)
    // A note far down the text sits far down the margin, level with its line.
    const far = await tops(page, promise.id)
    expect(Math.abs(far.note - far.mark)).toBeLessThan(12)

    // Overlapping readers: one band each and a count, not a blended colour.
    const overlap = page.locator('.pp-annotation[data-readers="2"]')
    expect(await overlap.count()).toBeGreaterThan(0)
    expect(await overlap.first().innerText()).toBe('40% last year')
    expect(await page.locator('.pp-readers').first().getAttribute('data-count')).toBe('2')
    const shadow = await overlap.first().evaluate((el) => getComputedStyle(el).boxShadow)
    expect(shadow.split('inset').length - 1, 'one underline band per reader').toBe(2)
    await page.screenshot({ path: artifactPath('margin-notes.png') })

    // Scrolling moves notes with their text.
    await page.locator('.page').evaluate((el) => el.scrollBy(0, 300))
    await page.waitForFunction(() => document.querySelector('.page')!.scrollTop > 0)
    const scrolled = await tops(page, promise.id)
    expect(Math.abs(scrolled.note - scrolled.mark - (far.note - far.mark))).toBeLessThan(2)
    expect(scrolled.mark).toBeLessThan(far.mark)

    // Click on a highlight: its note comes forward. Click on a note: its stretch is selected.
    await page.locator(`.pp-annotation[data-annotations="${promise.id}"]`).click()
    await page.locator(`.margin [data-annotation="${promise.id}"].active`).waitFor()
    await page.locator(`.margin [data-annotation="${revenue.id}"] .quote`).click()
    await page.locator(`.margin [data-annotation="${revenue.id}"].active`).waitFor()
    await page.locator(`.pp-annotation.pp-active[data-annotations~="${revenue.id}"]`).first().waitFor()
    const selected = await page.evaluate(() => window.getSelection()?.toString())
    expect(selected).toBe('Revenue grew 40% last year')
  })

  it('a new note appears where it was made', async () => {
    const { page } = await suite.open('alice', '/w/w1?doc=plan')
    await waitForEditorText(page, { includes: ['Paragraph 8'] })
    await waitForConnection(page, 'saved')
    // Select "Paragraph 6" by keyboard from the start of its line.
    const line = page.locator('.cm-line', { hasText: 'Paragraph 6 ' })
    await line.click({ position: { x: 2, y: 5 } })
    await page.keyboard.press('Home')
    for (let i = 0; i < 'Paragraph 6'.length; i++) await page.keyboard.press('Shift+ArrowRight')
    const composer = page.getByRole('form', { name: 'Annotate the selection' })
    await composer.waitFor()
    await page.getByLabel('Comment').fill('Say who does this step.')
    await page.getByRole('button', { name: 'Annotate selection' }).click()
    const note = page.locator('.margin [data-author="alice"]', { hasText: 'Say who does this step.' })
    await note.waitFor()
    const lineTop = (await line.boundingBox())!.y
    const noteTop = (await note.boundingBox())!.y
    expect(Math.abs(noteTop - lineTop)).toBeLessThan(12)
    await page.screenshot({ path: artifactPath('margin-new-note.png') })

    await page.setViewportSize({ width: 390, height: 844 })
    await note.waitFor()
    await page.screenshot({ path: artifactPath('margin-notes-390.png'), fullPage: true })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  })
})
