// The save status people read: calm while typing ("Saving…" then "All changes saved", no
// flicker per keystroke), never a false "Offline" for an idle tab, and edits counted in words.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page, WebSocket as PageSocket } from 'playwright-core'
import { artifactPath, buildClient, launchBrowser, waitForConnection, waitForEditorText } from '../helpers/browser.ts'
import { startTestServer, token, type TestServer } from '../helpers/server.ts'
import { connectStock, synced } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait.ts'
import * as Y from 'yjs'

// Keep-alives every 200 ms of real time, so the fake browser clock below can run two minutes
// in one-second steps, each step waiting (on events) for the server's next message.
const KEEP_ALIVE_MS = 200

let server: TestServer
let browser: Browser
beforeAll(async () => {
  server = await startTestServer({ clientDir: await buildClient(), limits: { keepAliveIntervalMs: KEEP_ALIVE_MS } })
  browser = await launchBrowser()
  const seed = connectStock(server.wsUrl, 'team/shared', 'alice')
  await synced(seed)
  seed.doc.getMap<Y.Text>('docs').set('plan', new Y.Text('Idle text.'))
  seed.destroy()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** Every label the status shows from now on, in order (a MutationObserver in the page). */
async function recordLabels(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const el = document.querySelector('.indicator .label')!
    const seen: string[] = [el.textContent ?? '']
    new MutationObserver(() => {
      const text = el.textContent ?? ''
      if (seen[seen.length - 1] !== text) seen.push(text)
    }).observe(el, { characterData: true, childList: true, subtree: true })
    ;(window as unknown as { __labels: string[] }).__labels = seen
  })
  return () => page.evaluate(() => (window as unknown as { __labels: string[] }).__labels)
}

async function openPage(clock: boolean): Promise<{ page: Page; sockets: PageSocket[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error('[page error]', error.message))
  const sockets: PageSocket[] = []
  page.on('websocket', (ws) => sockets.push(ws))
  if (clock) await page.clock.install()
  await page.goto(`${server.url}/w/team?doc=plan#token=${encodeURIComponent(token('alice'))}`)
  await waitForEditorText(page, { includes: ['Idle text.'] })
  await waitForConnection(page, 'saved')
  await page.locator('.indicator[data-phase="saved"]').waitFor()
  return { page, sockets }
}

describe('save status', () => {
  it('typing 50 characters changes the label at most twice and ends on "All changes saved"', async () => {
    const { page } = await openPage(false)
    const labels = await recordLabels(page)
    await page.locator('.cm-content').click()
    await page.keyboard.press('Control+End')
    await page.keyboard.type(' ' + 'typing along at a steady pace, letter by letter'.slice(0, 49), { delay: 25 })
    await page.locator('.indicator[data-phase="saved"][data-pending="0"]').waitFor()
    const seen = await labels()
    expect(seen[0]).toBe('All changes saved')
    expect(seen.at(-1)).toBe('All changes saved')
    expect(seen.length - 1, `labels shown: ${JSON.stringify(seen)}`).toBeLessThanOrEqual(2)
    await page.context().close()
  })

  it('an idle tab left two minutes never shows "Offline" and keeps its sockets', async () => {
    const { page, sockets } = await openPage(true)
    const labels = await recordLabels(page)
    const open = sockets.filter((ws) => !ws.isClosed())
    expect(open.length).toBeGreaterThan(0)
    const opened = sockets.length
    const received = new Map<PageSocket, number>(open.map((ws) => [ws, 0]))
    for (const ws of open) ws.on('framereceived', () => received.set(ws, received.get(ws)! + 1))

    // The stock provider checks every 3 s whether it heard from the server in the last 30 s.
    await page.clock.pauseAt(Date.now() + 1_000)
    for (let second = 0; second < 120; second++) {
      const before = new Map(received)
      await page.clock.runFor(1_000)
      await waitFor(() => open.every((ws) => received.get(ws)! > before.get(ws)! || ws.isClosed()), `a message from the server in second ${second}`, 5_000)
      expect(open.filter((ws) => ws.isClosed()).length, `sockets closed by second ${second}`).toBe(0)
    }
    // Rooms opened later (review rooms, once members are known) are fine; reopening one is not.
    const urls = sockets.map((ws) => ws.url())
    expect(
      urls.filter((url, i) => urls.indexOf(url) !== i),
      'no room was reconnected',
    ).toEqual([])
    expect(sockets.slice(0, opened).every((ws) => !ws.isClosed())).toBe(true)
    const seen = await labels()
    expect(seen, 'the label never changed').toEqual(['All changes saved'])
    await page.screenshot({ path: artifactPath('status-idle.png') })
    await page.context().close()
  })

  it('offline edits are counted as edits, whatever their size', async () => {
    const { page } = await openPage(false)
    await page.context().setOffline(true)
    await page.locator('.indicator[data-phase="offline"]').waitFor()
    await page.locator('.cm-content').click()
    await page.keyboard.press('Control+End')
    await page.keyboard.type('abc')
    await page.keyboard.insertText(' a pasted sentence of many characters.')
    await page.locator('.indicator .label', { hasText: 'Offline · 4 edits not yet saved, kept in this browser' }).waitFor()
    await page.screenshot({ path: artifactPath('status-offline.png') })
    await page.context().setOffline(false)
    await page.locator('.indicator[data-phase="saved"][data-pending="0"]').waitFor()
    await page.context().close()
  })
})
