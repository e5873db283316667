// One real server with the built client and one headless Chromium per e2e test file; pages and
// agents the tests open are closed after the file.

import { afterAll, beforeAll } from 'vitest'
import type { Browser } from 'playwright-core'
import type { Agent } from '../../agents/index.ts'
import { startTestServer, type TestServer } from './server.ts'
import { buildClient, launchBrowser, openApp, type AppPage } from './browser.ts'
import { token } from './server.ts'

export interface BrowserSuite {
  readonly server: TestServer
  readonly browser: Browser
  /** Closed after the file. */
  readonly pages: AppPage[]
  readonly agents: Agent[]
  /** Signs `principal` in and opens `path`; the page is closed after the file. */
  open(principal: string, path?: string): Promise<AppPage>
}

export function browserSuite(): BrowserSuite {
  let server: TestServer | undefined
  let browser: Browser | undefined
  const pages: AppPage[] = []
  const agents: Agent[] = []
  beforeAll(async () => {
    server = await startTestServer({ clientDir: await buildClient() })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    for (const a of agents) a.close()
    for (const p of pages) await p.context.close()
    await browser?.close()
    await server?.close()
  })
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not started yet (use it inside a test)`)
    return v
  }
  return {
    get server() {
      return ready(server, 'the test server')
    },
    get browser() {
      return ready(browser, 'the browser')
    },
    pages,
    agents,
    async open(principal, path) {
      const page = await openApp(ready(browser, 'the browser'), ready(server, 'the test server').url, token(principal), path)
      pages.push(page)
      return page
    },
  }
}
