// The Readings tab acts on interpretive differences: reply to an agent's annotation, accept
// its proposed edit (the shared text changes for every client), and accepting a second
// proposal on the same words shows the operational conflict to resolve instead of applying it.

import { describe, expect, it } from 'vitest'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { waitFor } from '../helpers/wait.ts'
import { artifactPath } from '../helpers/browser.ts'

const suite = browserSuite()
const { agents } = suite

const TEXT = 'Revenue grew 40% last year. Most customers renewed. The team doubled in size.'

describe('review actions in the Readings tab', () => {
  it('replies to an annotation and accepts a proposed edit; an overlapping second accept shows the conflict', async () => {
    const a = await connectTestAgent(suite.server, 'agent-a')
    const b = await connectTestAgent(suite.server, 'agent-b')
    agents.push(a, b)
    a.createDocument('report', TEXT)
    await a.flushed()
    await waitFor(() => b.documents().includes('report'), 'agent-b to see the report')
    a.annotate('report', { quote: 'grew 40%' }, { label: 'unsourced', comment: 'Source for 40%?' })
    const pa = a.propose('report', { quote: 'Revenue grew 40% last year.' }, 'Revenue grew 38% in 2024.', 'Match the audited figure.')
    const pb = b.propose('report', { quote: 'grew 40%' }, 'rose', 'No figure we cannot source.')
    await Promise.all([a.flushed(), b.flushed()])

    const alice = await suite.open('alice', '/w/w1/review?doc=report&view=readings')
    const { page } = alice

    // Reply inline on agent-a's annotation; the reply comes back live through the review room.
    await page.locator('.stretch').first().click()
    const annotation = page.locator('.column[data-principal="agent-a"] .annotation').first()
    await annotation.getByRole('button', { name: 'Reply' }).click()
    await annotation.getByPlaceholder('Your reply').fill('Finance has the audited number.')
    await annotation.getByRole('button', { name: 'Send reply' }).click()
    await annotation.locator('.reply', { hasText: 'Finance has the audited number.' }).waitFor()
    expect(await annotation.locator('.reply').textContent()).toContain('alice')

    // Both proposals are listed with their replacement and rationale.
    const first = page.locator(`.proposal[data-proposal="${pa.id}"]`)
    const second = page.locator(`.proposal[data-proposal="${pb.id}"]`)
    expect(await first.textContent()).toContain('Revenue grew 38% in 2024.')
    expect(await first.textContent()).toContain('Match the audited figure.')
    await first.getByRole('button', { name: 'Accept' }).click()
    await page.locator(`.proposal[data-proposal="${pa.id}"][data-status="accepted"]`).waitFor()
    const accepted = TEXT.replace('Revenue grew 40% last year.', 'Revenue grew 38% in 2024.')
    await waitFor(() => b.read('report') === accepted && a.read('report') === accepted, 'the accepted edit to reach both agents')
    expect(await first.textContent()).toContain('accepted by alice')

    // The second proposal's words were rewritten by the first: accepting it records a conflict.
    await second.getByRole('button', { name: 'Accept' }).click()
    await page.locator(`.proposal[data-proposal="${pb.id}"][data-status="conflict"]`).waitFor()
    const conflicts = await suite.server.conflicts.list('w1', { status: 'open' })
    expect(conflicts).toHaveLength(1)
    expect(await second.locator('.notice.conflict').textContent()).toContain(conflicts[0].id)
    expect(b.read('report')).toBe(accepted)
    await page.screenshot({ path: artifactPath('review-actions.png') })
    await second.getByRole('button', { name: 'Resolve in Conflicts' }).click()
    await page.locator('[role="tab"][aria-selected="true"]', { hasText: 'Conflicts' }).waitFor()
  })
})
