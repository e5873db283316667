// Two people in two browser profiles edit one document at once: the texts converge, each
// sees the other's labelled cursor and presence, and an annotation shows up for both.

import { describe, expect, it } from 'vitest'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath, editorText, waitForConnection, waitForEditorText } from '../helpers/browser.ts'

const suite = browserSuite()

describe('collaborative editing in the browser', () => {
  it('converges concurrent edits and shows each other’s cursors, presence and annotations', async () => {
    const alice = await suite.open('alice', '/w/team')
    await alice.page.getByRole('button', { name: 'New document' }).click()
    await alice.page.getByLabel('Name of the new document').fill('notes')
    await alice.page.keyboard.press('Enter')
    await alice.page.locator('.cm-content').click()
    await alice.page.keyboard.type('Shared opening line.')
    await waitForConnection(alice.page, 'saved')

    const bob = await suite.open('bob', '/w/team?doc=notes')
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
})
