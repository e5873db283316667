// Which readings a person sees follows the server's `readableNamespaces`: in a
// blind-until-submitted workspace an agent's annotations stay hidden (and are never
// downloaded) until the agent submits; then they appear without a reload.

import { describe, expect, it } from 'vitest'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { waitForEditorText } from '../helpers/browser.ts'

const suite = browserSuite()
const { agents } = suite

describe('blind namespaces', () => {
  it('shows an agent’s readings once it submits, not before', async () => {
    const agent = await connectTestAgent(suite.server, 'agent-a', { workspace: 'blind' })
    agents.push(agent)
    agent.createDocument('essay', 'Independent readings first, then compare.')
    agent.annotate('essay', { quote: 'Independent readings' }, { label: 'method', comment: 'Why independent?' })
    await agent.flushed()

    const bob = await suite.open('bob', '/w/blind?doc=essay')
    const { page } = bob
    await waitForEditorText(page, { equals: 'Independent readings first, then compare.' })
    const note = page.locator('.note', { hasText: 'Not visible to you' })
    await note.filter({ hasText: 'agent-a (not submitted yet)' }).waitFor()
    expect(await page.locator('.pp-annotation').count()).toBe(0)
    // Not even a local copy of the hidden namespace.
    expect(await page.evaluate(async () => (await indexedDB.databases()).some((d) => d.name?.includes('blind/ns/agent-a')))).toBe(false)

    await agent.api.setSubmitted('blind', 'agent-a', true)
    // The tab re-fetches who it may read when it regains focus (and every 15 s).
    await page.evaluate(() => window.dispatchEvent(new Event('focus')))
    await page.locator('.pp-annotation[title*="Why independent?"]').waitFor()
    expect(await note.textContent()).not.toContain('agent-a')
  })
})
