// Two people in two browser profiles edit one document at once: the texts converge, each
// sees the other's labelled cursor and presence, and an annotation shows up for both.

import { describe, expect, it } from 'vitest'
import { browserSuite } from '../helpers/browserSuite.ts'
import type { Page } from 'playwright-core'
import { artifactPath, editorText, waitForConnection, waitForEditorText } from '../helpers/browser.ts'

const suite = browserSuite()

/** The id of the document open in the page (the `doc` parameter of its URL). */
async function openDocId(page: Page): Promise<string> {
  await page.waitForURL(/[?&]doc=/)
  const id = new URL(page.url()).searchParams.get('doc')
  if (!id) throw new Error(`no document open at ${page.url()}`)
  return id
}

describe('collaborative editing in the browser', () => {
  it('converges concurrent edits and shows each other’s cursors, presence and annotations', async () => {
    const alice = await suite.open('alice', '/w/team')
    await alice.page.getByRole('button', { name: 'New document' }).click()
    await alice.page.getByLabel('Title of the new document').fill('notes')
    await alice.page.keyboard.press('Enter')
    await alice.page.locator('.cm-content').click()
    await alice.page.keyboard.type('Shared opening line.')
    await waitForConnection(alice.page, 'saved')

    // The link names the document by its id, which a rename never changes.
    const bob = await suite.open('bob', `/w/team?doc=${await openDocId(alice.page)}`)
    await waitForEditorText(bob.page, { equals: 'Shared opening line.' })

    // Both type at the same time at different ends of the text.
    await bob.page.locator('.cm-content').click()
    await bob.page.keyboard.press('Control+Home')
    await alice.page.keyboard.press('Control+End')
    await Promise.all([alice.page.keyboard.type(' Alice adds this.'), bob.page.keyboard.type('Bob starts here. ')])

    const expected = 'Bob starts here. Shared opening line. Alice adds this.'
    await waitForEditorText(alice.page, { equals: expected })
    await waitForEditorText(bob.page, { equals: expected })
    expect(await editorText(alice.page)).toBe(await editorText(bob.page))

    // Labelled remote cursors and presence, both ways.
    await alice.page.locator('.cm-ySelectionInfo', { hasText: 'bob' }).waitFor()
    await bob.page.locator('.cm-ySelectionInfo', { hasText: 'alice' }).waitFor()
    await alice.page.locator('.presence [data-principal="bob"]').waitFor()
    await bob.page.locator('.presence [data-principal="alice"]').waitFor()

    // Alice annotates a selection; Bob (team visibility) sees the highlight and the comment.
    await alice.page.locator('.cm-content').click()
    // Select "Alice adds this." with the keyboard: shift+arrows from the end.
    await alice.page.keyboard.press('Control+End')
    for (let i = 0; i < 'Alice adds this.'.length; i++) await alice.page.keyboard.press('Shift+ArrowLeft')
    await alice.page.getByLabel('Comment').fill('Needs a source.')
    await alice.page.getByLabel('Label').fill('citation')
    await alice.page.getByRole('button', { name: 'Annotate selection' }).click()
    await bob.page.locator('.pp-annotation[title*="Needs a source."]').waitFor()
    await bob.page.locator('.annotations [data-author="alice"]', { hasText: 'Needs a source.' }).waitFor()
    expect(await bob.page.locator('.pp-annotation').first().textContent()).toContain('Alice adds this.')
    await waitForConnection(alice.page, 'saved')

    await alice.page.screenshot({ path: artifactPath('workspace.png'), fullPage: true })
    // Narrow screens: panels stack under the editor, nothing overflows sideways.
    await alice.page.setViewportSize({ width: 400, height: 900 })
    await alice.page.screenshot({ path: artifactPath('workspace-narrow.png'), fullPage: true })
    expect(await alice.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400)
  })

  it('renaming a document changes its title for everyone and never duplicates it', async () => {
    const alice = await suite.open('alice', '/w/w1')
    await alice.page.getByRole('button', { name: 'New document' }).click()
    await alice.page.getByLabel('Title of the new document').fill('Draft plan')
    await alice.page.keyboard.press('Enter')
    await alice.page.locator('.cm-content').click()
    await alice.page.keyboard.type('Plan text stays.')
    await waitForConnection(alice.page, 'saved')
    const id = await openDocId(alice.page)
    expect(id).toMatch(/^d-[a-z0-9]{10}$/)

    const bob = await suite.open('bob', `/w/w1?doc=${id}`)
    await waitForEditorText(bob.page, { equals: 'Plan text stays.' })
    const listed = (page: Page) => page.locator('.doclist li[data-doc]')

    await alice.page.getByRole('button', { name: 'More actions for Draft plan' }).click()
    await alice.page.getByRole('button', { name: 'Rename Draft plan' }).click()
    await alice.page.getByLabel('New title for Draft plan').fill('Final plan')
    await alice.page.keyboard.press('Enter')

    // Both lists show the new title on the same single entry; the open editor, its text and the link stay.
    for (const { page } of [alice, bob]) {
      await page.locator(`.doclist li[data-doc="${id}"] .open`, { hasText: 'Final plan' }).waitFor()
      await page.locator('.docname', { hasText: 'Final plan' }).waitFor()
      expect(await listed(page).count()).toBe(1)
      expect(await page.locator('.doclist', { hasText: 'Draft plan' }).count()).toBe(0)
      expect(new URL(page.url()).searchParams.get('doc')).toBe(id)
    }
    await waitForEditorText(bob.page, { equals: 'Plan text stays.' })

    // A title already in use is refused with a message, and nothing is written.
    await alice.page.getByRole('button', { name: 'New document' }).click()
    await alice.page.getByLabel('Title of the new document').fill('Final plan')
    await alice.page.keyboard.press('Enter')
    await alice.page.getByRole('alert').filter({ hasText: 'already exists' }).waitFor()
    expect(await listed(alice.page).count()).toBe(1)
  })
})
