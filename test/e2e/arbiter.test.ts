// [work] The arbiter's proposal in the browser: a real conflict (two stock clients rewrite the
// same words offline), the arbiter (an SDK agent, heuristic rule) proposes a resolution; the
// proposal and its reasoning appear beside the conflict live, Approve resolves it for everyone,
// and the history names the approver and the proposer. A reviewer sees the proposal but no Approve.

import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { browserSuite } from '../helpers/browserSuite.ts'
import { apart, connectStock, replaceWord, synced, type StockClient } from '../helpers/clients.ts'
import { connectTestAgent } from '../helpers/agents.ts'
import { waitFor } from '../helpers/wait.ts'
import { artifactPath } from '../helpers/browser.ts'
import { heuristicArbitrate, HEURISTIC_ARBITER, runArbiter, type ArbiterLoop } from '../../agents/runtime/index.ts'

const suite = browserSuite()
const clients: StockClient[] = []
const loops: ArbiterLoop[] = []
afterAll(async () => {
  for (const l of loops) await l.stop()
  clients.forEach((c) => c.destroy())
})

async function join(who: string): Promise<StockClient> {
  const c = connectStock(suite.server.wsUrl, 'w1/shared', who)
  clients.push(c)
  await synced(c)
  return c
}

const notes = (c: StockClient): Y.Text => c.doc.getMap<Y.Text>('docs').get('notes')!

describe('the arbiter beside the conflict', () => {
  it('shows the proposal and its reasoning live beside the conflict; Approve resolves it; a reviewer cannot approve', async () => {
    const a = await join('alice')
    const b = await join('agent-b')
    a.doc.getMap('docs').set('notes', new Y.Text('Ship it on Monday.'))
    await waitFor(() => notes(b)?.toString() === 'Ship it on Monday.', 'agent-b to get the notes')

    const { page } = await suite.open('bob', '/w/w1/review?doc=notes')
    const rita = await suite.open('rita', '/w/w1/review?doc=notes')
    await page.locator('[data-feed="live"]').waitFor()
    const arbiter = await connectTestAgent(suite.server, 'agent-a', { role: 'arbiter' })
    suite.agents.push(arbiter)
    const loop = runArbiter(arbiter, heuristicArbitrate(arbiter))
    loops.push(loop)
    await loop.idle()

    await apart(a, b, () => {
      replaceWord(notes(a), 'Monday', 'Friday')
      replaceWord(notes(b), 'Monday', 'Sunday')
    })

    // The proposal arrives by the event stream, beside the conflict it is about.
    const card = page.locator('.conflict[data-kind="overlapping-text-edit"]')
    const proposal = card.locator('.proposal[data-proposal="agent-a"]')
    await proposal.waitFor()
    expect(await proposal.locator('.proposes').textContent()).toMatch(/agent-a proposes\s+keeping alice’s version/)
    const reasoning = await proposal.locator('.reasoning').textContent()
    expect(reasoning).toContain(HEURISTIC_ARBITER)
    expect(reasoning).toMatch(/only person/)
    expect(await card.locator('[data-current]').textContent()).not.toBe('Ship it on Friday.')
    await page.screenshot({ path: artifactPath('arbiter-proposal.png') })

    // A reviewer sees the proposal, but may not approve it.
    const ritaProposal = rita.page.locator('.conflict .proposal[data-proposal="agent-a"]')
    await ritaProposal.waitFor()
    expect(await ritaProposal.getByRole('button', { name: 'Approve' }).count()).toBe(0)

    await proposal.getByRole('button', { name: 'Approve' }).click()
    const history = page.locator('.history li', { hasText: 'approving agent-a’s proposal' })
    await history.waitFor()
    expect(await history.textContent()).toContain('kept alice’s version')
    const resolved = (s: string) => s === 'Ship it on Friday.'
    await waitFor(() => resolved(notes(a).toString()) && resolved(notes(b).toString()), 'both writers to get the approved resolution')
  })
})
