// [history] The history panel in Chromium: versions named by two agents and a person, a version's
// text, the changes since it coloured per author (the members' colours), "as read" beside the
// current text, and a confirmed restore that a second tab sees.

import { describe, expect, it } from 'vitest'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath, waitForConnection, waitForEditorText } from '../helpers/browser.ts'
import { httpJson } from '../helpers/http.ts'
import { token } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'

const suite = browserSuite()
const TEXT = 'Revenue grew 40% last year. Support answers every ticket within one hour.'
const EDITED = 'Revenue grew 40% last year. Our team answers every ticket within one hour.'

describe('history panel', () => {
  it('lists versions by two agents and a person, shows a diff coloured per author and the text as read, restores for every tab', async () => {
    const api = (who: string, path: string, body?: unknown) =>
      httpJson<Record<string, unknown>>(suite.server.url + '/api/workspaces/w1' + path, { method: body === undefined ? 'GET' : 'POST', token: token(who), body })
    const a = await connectTestAgent(suite.server, 'agent-a')
    const b = await connectTestAgent(suite.server, 'agent-b')
    suite.agents.push(a, b)
    a.createDocument('report', TEXT)
    a.annotate('report', { quote: 'grew 40%' }, { comment: 'Source for 40%?' })
    await a.flushed()
    expect((await api('agent-a', '/docs/report/versions', { label: 'first draft' })).status).toBe(201)
    await waitFor(() => b.read('report') === TEXT, 'agent-b to see the report')
    b.replace('report', { quote: 'Support' }, 'Our team')
    await b.flushed()
    expect((await api('agent-b', '/docs/report/versions', { label: 'checked' })).status).toBe(201)

    const alice = await suite.open('alice', '/w/w1?doc=report')
    const { page } = alice
    await waitForEditorText(page, { equals: EDITED })
    await page.locator('.cm-content').click()
    await page.keyboard.press('Control+End')
    await page.keyboard.type(' Alice signs off.')
    await waitForConnection(page, 'saved')
    const FINAL = EDITED + ' Alice signs off.'

    // The note was written against the first text: it offers the text as read, beside today's.
    await page.locator('.margin [data-author="agent-a"]').getByRole('button', { name: 'Show the text as it was read' }).click()
    await page.locator('[data-view="as-read"]').waitFor()
    expect(await page.locator('[data-view="as-read"]').textContent()).toBe(TEXT)
    expect(await page.locator('[data-view="now"]').textContent()).toBe(FINAL)
    await page.screenshot({ path: artifactPath('history-as-read.png') })

    // Alice names a version from the panel; the timeline lists all three, newest first.
    await page.getByRole('textbox', { name: 'Name this version' }).fill('signed off')
    await page.getByRole('button', { name: 'Save version' }).click()
    await page.getByRole('status').filter({ hasText: 'Saved version 3 “signed off”.' }).waitFor()
    const timeline = page.getByRole('navigation', { name: 'Versions, newest first' })
    await timeline.locator('[data-version="3"]').waitFor()
    expect(await timeline.locator('[data-version]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-version'), e.getAttribute('data-principal')]))).toEqual([
      ['3', 'alice'],
      ['2', 'agent-b'],
      ['1', 'agent-a'],
    ])
    expect(await timeline.locator('[data-version="1"]').textContent()).toContain('named “first draft”')

    // Version 1's text, then the changes since it, each stretch in its writer's member colour.
    await timeline.locator('[data-version="1"]').click()
    await page.locator('[data-view="version-text"]').waitFor()
    expect(await page.locator('[data-view="version-text"]').textContent()).toBe(TEXT)
    await page.getByRole('button', { name: 'Changes since' }).click()
    await page.locator('[data-view="changes"] ins').first().waitFor()
    const marks = await page.locator('[data-view="changes"] ins, [data-view="changes"] del').evaluateAll((els) =>
      els.map((e) => ({
        tag: e.tagName.toLowerCase(),
        text: e.textContent,
        principal: e.getAttribute('data-principal'),
        color: (e as HTMLElement).style.getPropertyValue('--author'),
      })),
    )
    expect(marks.map(({ tag, text, principal }) => ({ tag, text, principal }))).toEqual([
      { tag: 'del', text: 'Support', principal: 'agent-a' },
      { tag: 'ins', text: 'Our team', principal: 'agent-b' },
      { tag: 'ins', text: ' Alice signs off.', principal: 'alice' },
    ])
    const members = (await api('alice', '')).json.members as Array<{ id: string; color: string }>
    const colorOf = (id: string) => members.find((m) => m.id === id)?.color
    for (const m of marks) expect(m.color, m.principal ?? '').toBe(colorOf(m.principal!))
    expect(new Set(marks.map((m) => m.color)).size).toBe(3)
    await page.screenshot({ path: artifactPath('history-diff.png') })

    // Bob has the document open in another browser.
    const bob = await suite.open('bob', '/w/w1?doc=report')
    await waitForEditorText(bob.page, { equals: FINAL })

    // Restore asks first; keeping the text is the default (focused), restoring a deliberate click.
    await page.getByRole('button', { name: 'Restore this version' }).click()
    const dialog = page.getByRole('dialog', { name: 'Restore version 1?' })
    await dialog.waitFor()
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep the current text')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    await page.getByRole('button', { name: 'Restore this version' }).click()
    await dialog.getByRole('button', { name: 'Restore version 1' }).click()
    await page.getByRole('status').filter({ hasText: 'Restored version 1.' }).waitFor()
    await waitForEditorText(bob.page, { equals: TEXT })
    await waitFor(() => a.read('report') === TEXT && b.read('report') === TEXT, 'the restore at both agents')

    // Who wrote what: the restored words are the server's, written for alice.
    await page.getByRole('button', { name: 'Who wrote what' }).click()
    await page.locator('[data-view="blame"] .run').first().waitFor()
    expect(await page.locator('[data-view="blame"]').textContent()).toContain(TEXT)
    expect(await page.locator('[data-view="blame"] .run[data-principal="polyphony-server"]').first().getAttribute('title')).toMatch(/Written by Polyphony/)
    await page.getByRole('button', { name: 'Back to the text' }).click()
    await waitForEditorText(page, { equals: TEXT })

    // A viewer reads the history but is not offered to restore or name versions.
    const vic = await suite.open('vic', '/w/w1?doc=report')
    await waitForEditorText(vic.page, { equals: TEXT })
    await vic.page.getByRole('button', { name: 'History' }).click()
    await vic.page.locator('[data-version="1"]').click()
    await vic.page.locator('[data-view="version-text"]').waitFor()
    expect(await vic.page.getByRole('button', { name: 'Restore this version' }).count()).toBe(0)
    expect(await vic.page.getByRole('textbox', { name: 'Name this version' }).count()).toBe(0)
  })
})
