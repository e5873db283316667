// The README screenshot: a real workspace with a person and two SDK agents at work — their
// labelled cursors, presence with role and status, and highlights of their readings.
// Always written to test-artifacts/readme-screenshot.png; with UPDATE_SCREENSHOT=1 also to
// docs/screenshot.png (commit that file when the UI changed).

import { copyFileSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait.ts'
import { connectTestAgent } from '../helpers/agents.ts'
import { token } from '../helpers/server.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath, presenceOf, showAgentCursor, waitForConnection, waitForEditorText } from '../helpers/browser.ts'

const suite = browserSuite()
const { agents } = suite

const PLAN = [
  'Launch plan for the spring release',
  '',
  'We ship the new editor on 14 March to all customers at once.',
  'Revenue grew 40% last year, so the budget for the launch doubles.',
  'Support will answer every ticket within one hour during launch week.',
  '',
  'Open questions: pricing for teams, and who writes the announcement.',
].join('\n')

const WIDTH = 1200
const HEIGHT = 700

describe('README screenshot', () => {
  it('captures a person and two agents working in one document', async () => {
    const checker = await connectTestAgent(suite.server, 'agent-a', { role: 'fact-checker' })
    const editor = await connectTestAgent(suite.server, 'agent-b', { role: 'copy editor' })
    agents.push(checker, editor)
    checker.createDocument('launch-plan', PLAN)
    checker.createDocument('announcement', 'Draft: the new editor is here.')
    await checker.flushed()
    await waitFor(() => editor.documents().includes('launch-plan'), 'the editor agent to receive the plan')

    checker.annotate('launch-plan', { quote: 'Revenue grew 40% last year' }, { label: 'unsourced', comment: 'Which report says 40%?', severity: 'warning' })
    editor.annotate('launch-plan', { quote: 'grew 40% last year, so the budget' }, { label: 'logic', comment: 'Growth does not justify doubling by itself.' })
    checker.annotate('launch-plan', { quote: 'within one hour' }, { label: 'risky promise', comment: 'Staffing plan needed for this.', severity: 'error' })
    editor.annotate('launch-plan', { quote: 'to all customers at once' }, { label: 'clarity', comment: 'Staged rollout instead?' })

    const context = await suite.browser.newContext({ viewport: { width: WIDTH, height: HEIGHT }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/w/w1?doc=launch-plan#token=${encodeURIComponent(token('alice'))}`)
    await waitForEditorText(page, { includes: ['Launch plan'] })

    // The person adds a line; the agents say what they are doing and where they are.
    await page.locator('.cm-content').click()
    await page.keyboard.press('Control+End')
    await page.keyboard.type(' Alice drafts it.')
    checker.setStatus('thinking', 'checking the revenue figure', 'launch-plan')
    editor.setStatus('writing', 'tightening the support promise', 'launch-plan')
    const plan = checker.read('launch-plan')
    const at = plan.indexOf('40%')
    showAgentCursor(checker, 'launch-plan', at + 3)
    const promise = plan.indexOf('every ticket')
    showAgentCursor(editor, 'launch-plan', promise, promise + 'every ticket'.length)

    await presenceOf(page, 'agent-a').filter({ hasText: 'checking the revenue figure' }).waitFor()
    await presenceOf(page, 'agent-b').filter({ hasText: 'tightening the support promise' }).waitFor()
    await page.locator('.cm-ySelectionInfo', { hasText: 'agent-a' }).waitFor()
    await page.locator('.cm-ySelectionInfo', { hasText: 'agent-b' }).waitFor()
    await page.locator('.pp-annotation[title*="Staged rollout"]').waitFor()
    await page.locator('.annotations [data-annotation]').nth(3).waitFor()
    await waitForConnection(page, 'saved')
    await page.locator('.indicator[data-phase="saved"]').waitFor()

    const file = artifactPath('readme-screenshot.png')
    await page.screenshot({ path: file })
    await context.close()

    // PNG header: width and height are big-endian at bytes 16 and 20.
    const png = readFileSync(file)
    expect(png.readUInt32BE(16)).toBeLessThanOrEqual(1200)
    expect(statSync(file).size).toBeLessThan(300_000)
    if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(file, resolve('docs/screenshot.png'))
  })
})
