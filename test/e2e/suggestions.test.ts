// Suggestions inline: proposed edits appear in the text as struck-through words followed by
// the replacement, with Accept/Reject in place for those the review policy allows; a person
// can suggest a change from a selection.

import { describe, expect, it } from 'vitest'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { waitFor } from '../helpers/wait.ts'
import { artifactPath, waitForConnection, waitForEditorText } from '../helpers/browser.ts'
import { allowedReviewActions } from '../../shared/review/index.ts'

const suite = browserSuite()
const TEXT = 'Support answers every ticket within one hour. The launch is on 14 March.'

describe('suggestions in the text', () => {
  it('shows proposals as suggested changes and accepts or rejects them in place', async () => {
    const agent = await connectTestAgent(suite.server, 'agent-a', { role: 'copy editor' })
    suite.agents.push(agent)
    agent.createDocument('support', TEXT)
    const hour = agent.propose('support', { quote: 'within one hour' }, 'within one working day', 'One hour is not staffed.')
    const date = agent.propose('support', { quote: '14 March' }, '21 March', 'Vendor slipped.')
    await agent.flushed()

    // A reviewer sees the suggestions and gets only what the policy allows (reject, not accept).
    const rita = await suite.open('rita', '/w/w1?doc=support')
    await rita.page.locator(`.pp-suggestion[data-proposal="${hour.id}"]`).waitFor()
    await rita.page.locator(`.pp-suggestion[data-proposal="${date.id}"]`).waitFor()
    const ritaAllowed = allowedReviewActions('reviewer')
    expect(ritaAllowed.has('accept')).toBe(false)
    expect(await rita.page.locator('.pp-suggest-accept').count()).toBe(0)
    expect(await rita.page.locator('.pp-suggest-reject').count()).toBe(ritaAllowed.has('reject') ? 2 : 0)

    const { page } = await suite.open('alice', '/w/w1?doc=support')
    await waitForEditorText(page, { includes: ['Support answers'] })
    const suggestion = page.locator(`.pp-suggestion[data-proposal="${hour.id}"]`)
    await suggestion.waitFor()
    expect(await page.locator(`.pp-suggest-del[data-proposal="${hour.id}"]`).innerText()).toBe('within one hour')
    expect(await suggestion.locator('ins').getAttribute('data-text')).toBe('within one working day')
    // The suggestion is shown, not written: the document's text is unchanged until accepted.
    await waitForEditorText(page, { equals: TEXT })
    expect(await page.locator(`.pp-suggest-del[data-proposal="${hour.id}"]`).evaluate((el) => getComputedStyle(el).textDecorationLine)).toBe('line-through')
    await page.screenshot({ path: artifactPath('suggestions-inline.png') })

    // Accept in place: the shared text changes for everyone; the suggestion goes.
    await suggestion.getByRole('button', { name: /Accept/ }).click()
    await waitFor(() => agent.read('support') === TEXT.replace('within one hour', 'within one working day'), 'the accepted replacement to reach the agent')
    await suggestion.waitFor({ state: 'detached' })
    // Reject in place: the text stays, the suggestion goes.
    await page
      .locator(`.pp-suggestion[data-proposal="${date.id}"]`)
      .getByRole('button', { name: /Reject/ })
      .click()
    await page.locator(`.pp-suggestion[data-proposal="${date.id}"]`).waitFor({ state: 'detached' })
    expect(agent.read('support')).toContain('14 March')
  })

  it('a person suggests a change from a selection', async () => {
    const { page } = await suite.open('bob', '/w/team?doc=own')
    await page.getByRole('button', { name: 'New document' }).click()
    await page.getByLabel('Title of the new document').fill('Own words')
    await page.keyboard.press('Enter')
    await page.locator('.cm-content').click()
    await page.keyboard.type('We will ship soon.')
    await waitForConnection(page, 'saved')
    await page.keyboard.press('End')
    for (let i = 0; i < 'soon.'.length; i++) await page.keyboard.press('Shift+ArrowLeft')
    await page.getByRole('button', { name: 'Suggest a change' }).click()
    await page.getByLabel('Replace with').fill('on 21 March.')
    await page.getByLabel('Why (optional)').fill('Be concrete.')
    await page.getByRole('button', { name: 'Suggest change' }).click()
    const mine = page.locator('.pp-suggestion[data-author="bob"]')
    await mine.waitFor()
    expect(await mine.locator('ins').getAttribute('data-text')).toBe('on 21 March.')
    expect(await page.locator('.pp-suggest-del').innerText()).toBe('soon.')
    await page.screenshot({ path: artifactPath('suggestions-own.png') })
  })
})
