// The editor reads like a page, not a code editor: proportional type, soft wrap, no line
// numbers, a readable measure and line height; an empty document invites writing and takes
// focus; long document titles stay whole and tellable apart, with rename and delete in a menu.

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath, waitForConnection, waitForEditorText } from '../helpers/browser.ts'

const suite = browserSuite()

const TITLE_A = 'Quarterly planning notes for the research team, first draft with open questions (Alice)'
const TITLE_B = 'Quarterly planning notes for the research team, first draft with open questions (Bob)'

async function createDocument(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: 'New document' }).click()
  await page.getByLabel('Title of the new document').fill(title)
  await page.keyboard.press('Enter')
  await page.locator('.docname', { hasText: title }).waitFor()
}

/** Typography and layout of the open editor, measured in the page. */
function measure(page: Page) {
  return page.evaluate(() => {
    const content = document.querySelector<HTMLElement>('.cm-content')!
    const style = getComputedStyle(content)
    const probe = document.createElement('span')
    probe.textContent = '0'.repeat(70)
    probe.style.font = style.font
    probe.style.position = 'absolute'
    document.body.append(probe)
    const seventyCh = probe.getBoundingClientRect().width
    probe.remove()
    const line = content.querySelector<HTMLElement>('.cm-line')!
    return {
      fontFamily: style.fontFamily,
      fontSize: parseFloat(style.fontSize),
      lineHeight: parseFloat(getComputedStyle(line).lineHeight),
      textWidth: content.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
      seventyCh,
      gutters: document.querySelectorAll('.cm-gutters, .cm-lineNumbers').length,
      lineBoxHeight: line.getBoundingClientRect().height,
      focused: content.contains(document.activeElement) || content === document.activeElement,
    }
  })
}

describe('prose editor', () => {
  it('an empty document shows a placeholder and takes focus; text is proportional, wrapped and on a readable measure', async () => {
    const alice = await suite.open('alice', '/w/w1')
    await createDocument(alice.page, TITLE_A)
    await alice.page.locator('.cm-placeholder', { hasText: 'Start writing' }).waitFor()
    await alice.page.waitForFunction(() => document.activeElement?.classList.contains('cm-content'))
    // Typing goes straight into the document: the focus is really there.
    const sentence = 'A long paragraph of prose wraps softly inside the page instead of running off to the right, '
    await alice.page.keyboard.type(sentence.repeat(3).trim())
    await waitForEditorText(alice.page, { equals: sentence.repeat(3).trim() })
    await waitForConnection(alice.page, 'saved')
    expect(await alice.page.locator('.cm-placeholder').count()).toBe(0)

    const m = await measure(alice.page)
    expect(m.gutters, 'no line numbers or gutters').toBe(0)
    expect(m.fontFamily).not.toMatch(/mono|consolas|menlo/i)
    expect(m.lineHeight / m.fontSize).toBeGreaterThanOrEqual(1.5)
    expect(m.textWidth, 'a measure of about 70 characters').toBeLessThanOrEqual(m.seventyCh * 1.1)
    expect(m.lineBoxHeight, 'one long paragraph wraps onto several lines').toBeGreaterThan(m.lineHeight * 2.5)
    await alice.page.screenshot({ path: artifactPath('editor-prose.png') })

    await alice.page.setViewportSize({ width: 390, height: 844 })
    await alice.page.screenshot({ path: artifactPath('editor-prose-390.png') })
    expect(await alice.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  })

  it('long similar titles stay whole; rename and delete sit in a menu and delete defaults to keeping', async () => {
    const alice = await suite.open('alice', '/w/team')
    await createDocument(alice.page, TITLE_A)
    await createDocument(alice.page, TITLE_B)
    for (const title of [TITLE_A, TITLE_B]) {
      const entry = alice.page.locator('.doclist .open', { hasText: title })
      await entry.waitFor()
      // Whole: the full title is rendered and nothing is cut off.
      const cut = await entry.evaluate((el) => el.scrollWidth > el.clientWidth + 1 || getComputedStyle(el).textOverflow === 'ellipsis')
      expect(cut, `"${title}" is shown whole`).toBe(false)
      expect(await entry.innerText()).toBe(title)
    }
    // The title above the text is whole too.
    expect(await alice.page.locator('.docname').innerText()).toContain(TITLE_B)

    // Actions are behind a menu, not beside every title.
    expect(await alice.page.getByRole('button', { name: `Rename ${TITLE_A}` }).count()).toBe(0)
    await alice.page.getByRole('button', { name: `More actions for ${TITLE_A}` }).click()
    await alice.page.getByRole('button', { name: `Delete ${TITLE_A}` }).click()
    await alice.page.getByRole('group', { name: 'Confirm delete' }).waitFor()
    await alice.page.screenshot({ path: artifactPath('doclist-confirm-delete.png') })
    // Enter on the focused button keeps the document.
    expect(await alice.page.evaluate(() => document.activeElement?.textContent)).toBe('Keep')
    await alice.page.keyboard.press('Enter')
    await alice.page.locator('.doclist .open', { hasText: TITLE_A }).waitFor()
    expect(await alice.page.locator('.doclist li[data-doc]').count()).toBe(2)
  })
})
