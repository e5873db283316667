// The task board: live from Y.Map('tasks'), changed through the HTTP API. A person creates
// tasks in the browser, an agent claims and completes one through the API and the board
// follows; the person's own claim, completion and the team metrics panel.

import { describe, expect, it } from 'vitest'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath } from '../helpers/browser.ts'

const suite = browserSuite()
const { agents } = suite

interface ClaimResponse {
  fencingToken: number
  expiresAt: number
}

describe('task board', () => {
  it('shows an agent’s claim made through the API, live, and lets a person claim and complete', async () => {
    const alice = await suite.open('alice', '/w/w1/tasks')
    const { page } = alice

    // A person creates two tasks; the second depends on the first.
    await page.getByLabel('Task', { exact: true }).fill('Check the figures')
    await page.getByRole('button', { name: 'Add task' }).click()
    const check = page.locator('[data-status="open"] .task[data-task="check-the-figures"]')
    await check.waitFor()
    await page.getByLabel('Task', { exact: true }).fill('Publish the report')
    await page.getByLabel('Depends on').selectOption('check-the-figures')
    await page.getByRole('button', { name: 'Add task' }).click()
    const publish = page.locator('.task[data-task="publish-the-report"]')
    await publish.waitFor()
    expect(await publish.textContent()).toContain('waiting for check-the-figures')

    // An agent claims the first one through the API: the board shows owner, token, lease.
    const agent = await connectTestAgent(suite.server, 'agent-a')
    agents.push(agent)
    const claim = await agent.api.post<ClaimResponse>('/api/workspaces/w1/tasks/check-the-figures/claim', { ttlMs: 120_000 })
    const claimed = page.locator('[data-status="claimed"] .task[data-task="check-the-figures"][data-owner="agent-a"]')
    await claimed.waitFor()
    const card = await claimed.textContent()
    expect(card).toContain('Claimed by agent-a')
    expect(card).toContain(`fencing token ${claim.fencingToken}`)
    expect(card).toMatch(/lease ([12] min \d\d s|\d+ s)/)
    // Not the person's lease: no Complete/Release for them.
    expect(await claimed.getByRole('button', { name: 'Complete' }).count()).toBe(0)
    // The countdown runs.
    const remaining = Number(await claimed.locator('.lease').getAttribute('data-remaining'))
    await page.waitForFunction(
      (before) => Number(document.querySelector('.task[data-task="check-the-figures"] .lease')?.getAttribute('data-remaining')) < before,
      remaining,
    )

    // The server refuses a claim on the dependent task, and the card says why.
    await publish.getByRole('button', { name: 'Claim' }).click()
    await publish.getByRole('alert').filter({ hasText: 'dependencies are not done' }).waitFor()

    await agent.api.post('/api/workspaces/w1/tasks/check-the-figures/complete', { fencingToken: claim.fencingToken, result: 'All figures match the ledger.' })
    const done = page.locator('[data-status="done"] .task[data-task="check-the-figures"]')
    await done.waitFor()
    expect(await done.textContent()).toContain('All figures match the ledger.')

    // Now the person claims and completes the dependent task from the board.
    await publish.getByRole('button', { name: 'Claim' }).click()
    const mine = page.locator('[data-status="claimed"] .task[data-task="publish-the-report"][data-owner="alice"]')
    await mine.waitFor()
    expect(await mine.textContent()).toContain('alice (you)')
    await mine.getByLabel('Result of Publish the report').fill('Sent to the board.')
    await mine.getByRole('button', { name: 'Complete' }).click()
    await page.locator('[data-status="done"] .task[data-task="publish-the-report"]', { hasText: 'Sent to the board.' }).waitFor()

    // Team metrics: both won claims and completions show up.
    await page.getByRole('button', { name: 'Refresh' }).click()
    await page.locator('[data-metric="claims"]', { hasText: '2 won' }).waitFor()
    expect(await page.locator('[data-metric="claims"]').textContent()).toContain('1 blocked')
    expect(await page.locator('[data-metric="claims"]').textContent()).toContain('2 completed')
    await page.locator('.metrics tr[data-principal="agent-a"]').waitFor()
    await page.screenshot({ path: artifactPath('tasks-board.png') })
  })
})
