// The task board: live from the task room `W/tasks` (written only by the server), changed
// through the HTTP API. A person creates tasks in the browser, an agent claims and completes
// one through the API and the board follows; the person's own claim, completion and the team
// metrics panel. An editor's forged write to the task room is refused and the board keeps
// showing the store.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath } from '../helpers/browser.ts'
import { openRaw, syncMessage } from '../helpers/rawSocket.ts'
import { readTaskFromDoc } from '../../shared/coord/index.ts'

const suite = browserSuite()
const { agents } = suite

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
    const claim = await agent.api.claim('w1', 'check-the-figures', 120_000)
    const claimed = page.locator('[data-status="claimed"] .task[data-task="check-the-figures"][data-owner="agent-a"]')
    await claimed.waitFor()
    const card = await claimed.textContent()
    expect(card).toContain('Claimed by agent-a')
    expect(card).toContain(`claim no. ${claim.fencingToken}`)
    expect(card).toMatch(/lease ([12] min \d\d s|\d+ s)/)
    // Not the person's lease: no Complete/Release for them.
    expect(await claimed.getByRole('button', { name: 'Complete' }).count()).toBe(0)
    // The countdown runs.
    const remaining = Number(await claimed.locator('.lease').getAttribute('data-remaining'))
    await page.waitForFunction((before) => Number(document.querySelector('.task[data-task="check-the-figures"] .lease')?.getAttribute('data-remaining')) < before, remaining)

    // The server refuses a claim on the dependent task, and the card says why.
    await publish.getByRole('button', { name: 'Claim' }).click()
    await publish.getByRole('alert').filter({ hasText: 'dependencies are not done' }).waitFor()

    await agent.api.complete('w1', 'check-the-figures', claim.fencingToken, 'All figures match the ledger.')
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
    // Does the team help: the two completed tasks, their throughput, speedup and waits.
    expect(await page.locator('[data-metric="task-flow"]').textContent()).toMatch(
      /^\s*2 done in [\d.]+ s \(\d+\/h\) · speedup ×[\d.]+ ·\s+waited [\d.]+ s blocked, [\d.]+ s unclaimed \(mean\)\s*$/,
    )
    await page.locator('.metrics tr[data-principal="agent-a"]').waitFor()
    await page.screenshot({ path: artifactPath('tasks-board.png') })
  })

  it('an editor cannot forge the board: the write to the task room is refused and the board shows the store', async () => {
    const agent = await connectTestAgent(suite.server, 'agent-b')
    agents.push(agent)
    await agent.api.createTask('w1', { id: 'audit', title: 'Audit the figures' })
    const claim = await agent.api.claim('w1', 'audit', 120_000)
    const vic = await suite.open('vic', '/w/w1/tasks')
    await vic.page.locator('[data-status="claimed"] .task[data-task="audit"][data-owner="agent-b"]').waitFor()

    // bob (an editor, who may edit the shared documents) writes the task room directly: he
    // takes over the claimed task and adds one the server never saw.
    const room = await suite.server.core.room('w1/tasks')
    const forged = new Y.Doc()
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(room.doc))
    const before = Y.encodeStateVector(forged)
    const audit = forged.getMap<Y.Map<unknown>>('tasks').get('audit')!
    audit.set('owner', 'bob')
    audit.set('status', 'done')
    const extra = new Y.Map<unknown>()
    forged.getMap('tasks').set('forged', extra)
    extra.set('title', 'A task nobody created')
    const bob = openRaw(suite.server.wsUrl, 'w1/tasks', 'bob', { params: { persisted: '1' } })
    try {
      await bob.waitFor('sync')
      bob.send(syncMessage(Y.encodeStateAsUpdate(forged, before)))
      expect((await bob.waitFor('denied')).reason).toMatch(/read-only/)
      await bob.persisted(1)
    } finally {
      bob.ws.terminate()
    }

    // The server's view still equals its store, field for field.
    const stored = await agent.api.task('w1', 'audit')
    expect(readTaskFromDoc(room.doc, 'audit')).toMatchObject({ status: 'claimed', owner: 'agent-b', fencingToken: claim.fencingToken })
    expect(readTaskFromDoc(room.doc, 'audit')).toMatchObject({ status: stored.task.status, owner: stored.task.owner, fencingToken: stored.task.fencingToken })
    expect(readTaskFromDoc(room.doc, 'forged')).toBeNull()
    // A later real change reaches the browser after anything the forgery could have caused.
    await agent.api.complete('w1', 'audit', claim.fencingToken, 'Checked by agent-b.')
    await vic.page.locator('[data-status="done"] .task[data-task="audit"][data-owner="agent-b"]', { hasText: 'Checked by agent-b.' }).waitFor()
    expect(await vic.page.locator('.task[data-task="forged"]').count()).toBe(0)
    const board = await vic.page.locator('.task').evaluateAll((cards) => cards.map((c) => [c.getAttribute('data-task'), c.getAttribute('data-owner')]))
    const tasks = (await agent.api.tasks('w1')).tasks
    expect(board.sort()).toEqual(tasks.map((t) => [t.id, t.owner ?? '']).sort())
  })
})
