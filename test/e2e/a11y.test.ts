// Accessibility: axe-core run inside the page on every main view (sign-in, the document
// editor with notes, the history panel with a diff and its restore dialog, review conflicts,
// readings, tasks); no serious or critical violation.

import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath, waitForConnection, waitForEditorText } from '../helpers/browser.ts'
import { token } from '../helpers/server.ts'
import { httpJson } from '../helpers/http.ts'

const suite = browserSuite()
const AXE = createRequire(import.meta.url).resolve('axe-core')
const TEXT = 'Revenue grew 40% last year, so the launch budget doubles.\n\nSupport answers every ticket within one hour.'

interface Violation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[] }>
}

async function seriousViolations(page: Page, name: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE })
  const { violations, passes } = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: Violation[]; passes: unknown[] }> } }).axe
    const result = await axe.run(document)
    return { violations: result.violations, passes: result.passes.length }
  })
  expect(passes, `axe checked something on ${name}`).toBeGreaterThan(10)
  await page.screenshot({ path: artifactPath(`a11y-${name}.png`), fullPage: true })
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 4)
          .join(' | ')}`,
    )
}

describe('accessibility (axe-core)', () => {
  it('no serious or critical violation on sign-in, editor, history, conflicts, readings and tasks', async () => {
    const agent = await connectTestAgent(suite.server, 'agent-a', { role: 'fact-checker' })
    suite.agents.push(agent)
    agent.createDocument('report', TEXT)
    agent.annotate('report', { quote: 'grew 40%' }, { label: 'unsourced', comment: 'Source for 40%?' })
    agent.propose('report', { quote: 'within one hour' }, 'within one working day', 'One hour is not staffed.')
    await agent.flushed()

    // The app's CSP allows only its own scripts; the test lets axe in (and nothing else changes).
    const context = await suite.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } })
    const found: string[] = []
    const signIn = await context.newPage()
    await signIn.goto(suite.server.url)
    await signIn.getByLabel('Access token').waitFor()
    found.push(...(await seriousViolations(signIn, 'sign-in')))
    await signIn.close()

    const page = await context.newPage()
    await page.goto(`${suite.server.url}/w/w1?doc=report#token=${encodeURIComponent(token('alice'))}`)
    await waitForEditorText(page, { includes: ['Revenue grew'] })
    await page.locator('.margin [data-annotation]').first().waitFor()
    await waitForConnection(page, 'saved')
    found.push(...(await seriousViolations(page, 'editor')))

    const named = await httpJson(`${suite.server.url}/api/workspaces/w1/docs/report/versions`, { method: 'POST', token: token('agent-a'), body: { label: 'draft' } })
    expect(named.status).toBe(201)
    await page.getByRole('button', { name: 'History' }).click()
    await page.locator('[data-version="1"]').click()
    await page.getByRole('button', { name: 'Changes since' }).click()
    await page.locator('[data-view="changes"]').waitFor()
    found.push(...(await seriousViolations(page, 'history')))
    await page.getByRole('button', { name: 'Restore this version' }).click()
    await page.getByRole('dialog').waitFor()
    found.push(...(await seriousViolations(page, 'history-restore')))
    await page.getByRole('button', { name: 'Keep the current text' }).click()
    await page.getByRole('button', { name: 'Back to the text' }).click()

    await page.getByRole('link', { name: 'Review' }).click()
    await page.getByRole('tab', { name: 'Conflicts' }).waitFor()
    await page.getByRole('tab', { name: 'Conflicts' }).click()
    found.push(...(await seriousViolations(page, 'review-conflicts')))

    await page.getByRole('tab', { name: 'Readings' }).click()
    await page.locator('.stretch').first().waitFor()
    await page.locator('.stretch').first().click()
    found.push(...(await seriousViolations(page, 'readings')))

    await page.getByRole('link', { name: 'Tasks' }).click()
    await page.locator('.board .column').first().waitFor()
    found.push(...(await seriousViolations(page, 'tasks')))

    await context.close()
    expect(found, found.join('\n')).toEqual([])
  })
})
