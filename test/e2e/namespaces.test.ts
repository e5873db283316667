// Which readings a person sees follows the server's `readableNamespaces`: in a
// blind-until-submitted workspace an agent's annotations stay hidden (and are never
// downloaded) until the agent submits; then they appear without a reload.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import type { Agent } from '../../agents/index.ts'
import { connectTestAgent } from '../helpers/agents.ts'
import { startTestServer, token, type TestServer } from '../helpers/server.ts'
import { buildClient, launchBrowser, openApp, waitForEditorText, type AppPage } from '../helpers/browser.ts'

let server: TestServer
let browser: Browser
const pages: AppPage[] = []
const agents: Agent[] = []

beforeAll(async () => {
  const clientDir = await buildClient()
  server = await startTestServer({ clientDir })
  browser = await launchBrowser()
})

afterAll(async () => {
  for (const a of agents) a.close()
  for (const p of pages) await p.context.close()
  await browser?.close()
  await server?.close()
})

describe('blind namespaces', () => {
  it('shows an agent’s readings once it submits, not before', async () => {
    const agent = await connectTestAgent(server, 'agent-a', { workspace: 'blind' })
    agents.push(agent)
    agent.createDocument('essay', 'Independent readings first, then compare.')
    agent.annotate('essay', { quote: 'Independent readings' }, { label: 'method', comment: 'Why independent?' })
    await agent.flushed()

    const bob = await openApp(browser, server.url, token('bob'), '/w/blind?doc=essay')
    pages.push(bob)
    const { page } = bob
    await waitForEditorText(page, { equals: 'Independent readings first, then compare.' })
    const note = page.locator('.note', { hasText: 'Not visible to you' })
    await note.filter({ hasText: 'agent-a (not submitted yet)' }).waitFor()
    expect(await page.locator('.pp-annotation').count()).toBe(0)
    // Not even a local copy of the hidden namespace.
    expect(await page.evaluate(async () => (await indexedDB.databases()).some((d) => d.name?.includes('blind/ns/agent-a')))).toBe(false)

    await agent.api.put('/api/workspaces/blind/namespaces/agent-a/submitted', { submitted: true })
    // The tab re-fetches who it may read when it regains focus (and every 15 s).
    await page.evaluate(() => window.dispatchEvent(new Event('focus')))
    await page.locator('.pp-annotation[title*="Why independent?"]').waitFor()
    expect(await note.textContent()).not.toContain('agent-a')
  })
})
