// An agent attached with the SDK (in this process) works in a document a person has open:
// the browser shows its edit, its labelled cursor, its presence with role and status, and
// the highlight of its annotation.

import { describe, expect, it } from 'vitest'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { presenceOf, showAgentCursor, waitForEditorText } from '../helpers/browser.ts'

const suite = browserSuite()
const { agents } = suite

describe('an SDK agent seen from the browser', () => {
  it('shows the agent’s edit, cursor, presence with role and status, and its highlight', async () => {
    const agent = await connectTestAgent(suite.server, 'agent-a', { role: 'fact-checker' })
    agents.push(agent)
    agent.createDocument('brief', 'The launch is planned for March.')
    await agent.flushed()

    const alice = await suite.open('alice', '/w/w1?doc=brief')
    const { page } = alice
    await waitForEditorText(page, { equals: 'The launch is planned for March.' })

    agent.setStatus('writing', 'adding the budget line', 'brief')
    agent.edit('brief', (t) => t.insert(t.length, ' The budget is 40k.'))
    showAgentCursor(agent, 'brief', agent.read('brief').length)
    await waitForEditorText(page, { equals: 'The launch is planned for March. The budget is 40k.' })

    // Presence: kind, the role it announced, and what it is doing where.
    const entry = presenceOf(page, 'agent-a')
    await entry.filter({ hasText: 'adding the budget line' }).waitFor()
    expect(await entry.getAttribute('data-kind')).toBe('agent')
    const shown = await entry.textContent()
    expect(shown).toContain('agent · fact-checker')
    expect(shown).toContain('writing: adding the budget line')
    expect(shown).toContain('in brief')
    // Its caret, labelled with its name, in the editor.
    await page.locator('.cm-ySelectionInfo', { hasText: 'agent-a' }).waitFor()

    agent.setStatus('thinking', 'checking the date')
    await entry.filter({ hasText: 'thinking: checking the date' }).waitFor()

    // The annotation shows as a highlight over the quoted words and in the side panel.
    agent.annotate('brief', { quote: 'planned for March' }, { label: 'unsourced', comment: 'Which plan says March?' })
    const highlight = page.locator('.pp-annotation[title*="Which plan says March?"]')
    await highlight.waitFor()
    expect(await highlight.textContent()).toBe('planned for March')
    expect(await highlight.getAttribute('title')).toContain('agent-a · unsourced')
    await page.locator('.annotations [data-author="agent-a"]', { hasText: 'Which plan says March?' }).waitFor()

    // Leaving removes it from the presence list.
    agent.close()
    agents.pop()
    await entry.waitFor({ state: 'detached' })
  })
})
