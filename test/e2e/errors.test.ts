// What a person sees when something is wrong: a bad token, a workspace they are not in,
// namespaces they may not read, an unreachable server, a change the server refuses; and a
// full per-principal cap, which is not an error: the tab retries.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import * as Y from 'yjs'
import { startTestServer, token, type TestServer } from '../helpers/server.ts'
import { connectStock, synced } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait.ts'
import { buildClient, launchBrowser, openApp, waitForConnection, waitForEditorText, type AppPage } from '../helpers/browser.ts'

let clientDir: string
let server: TestServer
let browser: Browser
const pages: AppPage[] = []
const servers: TestServer[] = []

beforeAll(async () => {
  clientDir = await buildClient()
  server = await startTestServer({ clientDir })
  servers.push(server)
  browser = await launchBrowser()
})

afterAll(async () => {
  for (const p of pages) await p.context.close()
  await browser?.close()
  for (const s of servers) await s.close()
})

async function open(base: string, tokenValue: string, path = '/'): Promise<AppPage> {
  const app = await openApp(browser, base, tokenValue, path)
  pages.push(app)
  return app
}

describe('error messages', () => {
  it('rejects a wrong token with what to do, and accepts a right one from the form', async () => {
    const { page } = await open(server.url, 'pp_not_a_real_token')
    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toContain('Token not accepted')
    expect(await alert.textContent()).toContain('invite link')
    await page.getByLabel('Access token').fill(token('bob'))
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Workspace team' }).waitFor()
  })

  it('keeps a refused token in the form so it can be corrected, not pasted again', async () => {
    // The invite link carried a wrong token: the form comes back with it, ready to fix.
    const pasted = token('bob') + 'x'
    const { page } = await open(server.url, pasted)
    await page.getByRole('alert').filter({ hasText: 'Token not accepted' }).waitFor()
    expect(await page.getByLabel('Access token').inputValue()).toBe(pasted)
    await page.getByLabel('Access token').press('End')
    await page.getByLabel('Access token').press('Backspace')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Workspace team' }).waitFor()
  })

  it('tells a non-member they have no access to a workspace', async () => {
    const { page } = await open(server.url, token('outsider'), '/w/w1')
    await page.locator('[data-problem="No access"]').first().waitFor()
    expect(await page.locator('[data-problem="No access"]').first().textContent()).toContain('Ask a workspace owner')
  })

  it('skips namespaces the viewer may not read and says whose they are', async () => {
    const seed = connectStock(server.wsUrl, 'w1/shared', 'alice')
    await synced(seed)
    seed.doc.getMap<Y.Text>('docs').set('brief', new Y.Text('A private workspace.'))
    const { page } = await open(server.url, token('bob'), '/w/w1?doc=brief')
    await waitForEditorText(page, { equals: 'A private workspace.' })
    // w1 is 'private': an editor reads only their own namespace.
    const note = page.locator('.note', { hasText: 'Not visible to you' })
    await note.waitFor()
    for (const other of ['alice', 'rita', 'agent-a']) expect(await note.textContent()).toContain(other)
    expect(await note.textContent()).not.toContain('bob')
    // The refused namespaces leave no local copy behind.
    await page.waitForFunction(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name ?? '')
      return names.includes('polyphony:bob:w1/ns/bob') && !names.some((n) => n.startsWith('polyphony:bob:w1/ns/alice'))
    })
    seed.destroy()
  })

  it('says the server is unreachable when a token cannot be checked', async () => {
    const doomed = await startTestServer({ clientDir })
    servers.push(doomed)
    const { page } = await open(doomed.url, '')
    await page.getByLabel('Access token').waitFor()
    await doomed.stop()
    await page.getByLabel('Access token').fill(token('bob'))
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('[data-problem="Server unreachable"]').waitFor()
  })

  it('explains a refused message and stops retrying until asked', async () => {
    const strict = await startTestServer({ clientDir, limits: { maxMessageBytes: 4096 } })
    servers.push(strict)
    const seed = connectStock(strict.wsUrl, 'team/shared', 'alice')
    await synced(seed)
    seed.doc.getMap<Y.Text>('docs').set('small', new Y.Text('Short.'))
    const { page } = await open(strict.url, token('bob'), '/w/team?doc=small')
    await waitForEditorText(page, { equals: 'Short.' })
    await waitForConnection(page, 'saved')
    await page.locator('.cm-content').click()
    await page.keyboard.insertText('x'.repeat(10_000))
    await page.locator('[data-problem="Change refused"]').waitFor()
    await waitForConnection(page, 'stopped')
    expect(await page.locator('[data-problem="Change refused"]').textContent()).toContain('Reconnect')
    await page.getByRole('button', { name: 'Reconnect' }).waitFor()
    seed.destroy()
  })

  it('keeps retrying through a full per-principal socket cap (4429, transient) and gets in once a socket frees up', async () => {
    const capped = await startTestServer({ clientDir, limits: { maxSocketsPerPrincipal: 8 } })
    servers.push(capped)
    const holders = Array.from({ length: 8 }, () => connectStock(capped.wsUrl, 'w1/shared', 'bob'))
    await synced(...holders)
    const { page } = await open(capped.url, token('bob'), '/w/team')
    const attempts: string[] = []
    page.on('websocket', (ws) => attempts.push(ws.url()))
    // The shared room is refused (4429) and tried again, again: no final close, nothing to explain.
    await waitFor(() => attempts.filter((url) => /\/sync\/team(\/|%2F)shared\b/.test(url)).length >= 2, 'the tab to retry the shared room', 30_000)
    expect(await page.locator('.indicator[data-state="stopped"]').count()).toBe(0)
    expect(await page.locator('[data-problem]').count()).toBe(0)
    for (const h of holders) h.destroy()
    await waitForConnection(page, 'saved', 30_000)
  })
})
