// Superseded readings in the browser: an agent's newer reading of a stretch replaces its older
// one. The Readings tab and the annotation panel show the current reading; "show earlier
// readings (1)" lists the older one too, marked as superseded; it updates live.

import { describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait.ts'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'

const suite = browserSuite()
const { agents } = suite

const TEXT = 'Revenue grew 40% last year. Most customers renewed. The team doubled in size.'

describe('superseded readings', () => {
  it('are hidden by default, shown on request and marked as superseded', async () => {
    const a = await connectTestAgent(suite.server, 'agent-a', { role: 'skeptic' })
    agents.push(a)
    a.createDocument('report', TEXT)
    const old = a.annotate('report', { quote: 'grew 40%' }, { label: 'unsourced', comment: 'Source for 40%?' })
    await a.flushed()

    const alice = await suite.open('alice', '/w/w1/review?doc=report&view=readings')
    const { page } = alice
    const colA = page.locator('.column[data-principal="agent-a"]')
    await page.locator('.stretch[data-readers="1"]').click()
    await colA.locator(`[data-annotation="${old.id}"]`).waitFor()
    expect(await page.getByRole('button', { name: /earlier readings/ }).count()).toBe(0)

    // The agent reads the stretch again: live, the old reading disappears and the button appears.
    const newer = a.annotate('report', { quote: 'Revenue grew 40% last year' }, { label: 'unsourced', comment: 'Which figures, audited?' }, { supersedes: [old.id] })
    await a.flushed()
    const toggle = page.getByRole('button', { name: 'show earlier readings (1)' })
    await toggle.waitFor()
    await page.locator('.stretch[data-readers="1"]').click()
    await colA.locator(`[data-annotation="${newer.id}"]`).waitFor()
    expect(await colA.locator(`[data-annotation="${old.id}"]`).count()).toBe(0)
    expect(await page.locator('.summary').getAttribute('data-stretches')).toBe('1')

    await toggle.click()
    const earlier = colA.locator(`[data-annotation="${old.id}"]`)
    await earlier.waitFor()
    expect(await earlier.getAttribute('data-superseded-by')).toBe(newer.id)
    expect(await earlier.locator('.marker.earlier').textContent()).toBe('superseded')
    expect(await colA.locator(`[data-annotation="${newer.id}"] .marker.earlier`).count()).toBe(0)
    await page.getByRole('button', { name: 'hide earlier readings (1)' }).click()
    await waitFor(async () => (await colA.locator(`[data-annotation="${old.id}"]`).count()) === 0, 'the earlier reading hidden again')

    // The annotation panel next to the editor (alice again: w1 is private, an editor does not read agent-a): the same rule.
    const editor = await suite.open('alice', '/w/w1?doc=report')
    const panel = editor.page.locator('.annotations')
    await panel.locator(`[data-annotation="${newer.id}"]`).waitFor()
    expect(await panel.locator(`[data-annotation="${old.id}"]`).count()).toBe(0)
    await editor.page.getByRole('button', { name: 'show earlier readings (1)' }).click()
    const shown = panel.locator(`[data-annotation="${old.id}"]`)
    await shown.waitFor()
    expect(await shown.getAttribute('class')).toContain('superseded')
    expect(await shown.textContent()).toContain('superseded')
  })
})
