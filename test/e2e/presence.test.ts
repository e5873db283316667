// What another person's browser shows of an agent that lies: presence claiming to be Alice with
// CSS in its colour and markup in its name, annotations claiming Alice as their author. The page
// shows the registry's identity, no injected style, no request to the payload's URL, and the
// annotation only as the namespace owner's (not at all, here). Signing out deletes the local
// copies; a different principal signing in on the same browser never finds the previous one's.

import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { presenceOf, showAgentCursor, waitForEditorText } from '../helpers/browser.ts'
import { token } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { makeAnnotation } from '../../shared/annotations.ts'
import { createAnchor } from '../../shared/anchoring/index.ts'

const suite = browserSuite()
const { agents } = suite

/** Nothing listens on port 9 of the loopback: a request there is the injection working. */
const TRAP = 'http://127.0.0.1:9/'
const TEXT = 'The launch is planned for March.'

/** `#rrggbb` as getComputedStyle reports it. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))
  return `rgb(${r}, ${g}, ${b})`
}

function databases(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''))
}

describe('an agent that lies about who it is', () => {
  it('is shown as itself, with a palette colour, and its payload neither styles the page nor loads anything', async () => {
    const agent = await connectTestAgent(suite.server, 'agent-a')
    agents.push(agent)
    agent.createDocument('brief', TEXT)
    await agent.flushed()

    const { page, context } = await suite.open('alice', '/w/w1?doc=brief')
    const trapped: string[] = []
    context.on('request', (request) => {
      if (request.url().startsWith(TRAP)) trapped.push(request.url())
    })
    const violations: string[] = []
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text())
    })
    await waitForEditorText(page, { equals: TEXT })

    const detail = `<img src="${TRAP}detail.png" onerror="document.body.remove()">`
    agent.sharedSync.provider.awareness.setLocalState({
      user: {
        principal: 'alice',
        kind: 'human',
        name: `<img src="${TRAP}name.png">Alice`,
        color: `red; position: fixed; inset: 0; z-index: 9999; background: url(${TRAP}color.png)`,
        colorLight: `url(${TRAP}light.png)`,
      },
      status: { state: 'writing', detail },
      doc: 'brief',
    })
    showAgentCursor(agent, 'brief', 4, 10)

    // Presence: the agent under its own name and kind; Alice only once (herself).
    const entry = presenceOf(page, 'agent-a')
    await entry.filter({ hasText: detail }).waitFor()
    expect(await entry.getAttribute('data-kind')).toBe('agent')
    expect(await entry.locator('.name').textContent()).toBe('agent-a')
    expect(await presenceOf(page, 'alice').count()).toBe(1)
    expect(await page.locator('.presence [data-kind="human"]').count()).toBe(1)
    const palette = suite.server.registry.colorOf('w1', 'agent-a') as string
    expect(await entry.locator('.dot').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(rgb(palette))

    // The caret: labelled with the agent's name, in its palette colour, not covering the page.
    const caret = page.locator('.cm-ySelectionCaret').filter({ has: page.locator('.cm-ySelectionInfo', { hasText: 'agent-a' }) })
    await caret.waitFor()
    expect(await caret.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(rgb(palette))
    expect(await caret.evaluate((el) => getComputedStyle(el).position)).not.toBe('fixed')
    const atCentre = await page.evaluate(
      () => document.elementsFromPoint(innerWidth / 2, innerHeight / 2).filter((el) => el.closest('.cm-ySelectionCaret, .cm-ySelectionInfo, .presence .dot')).length,
    )
    expect(atCentre).toBe(0)
    expect(await page.locator(`img[src^="${TRAP}"]`).count()).toBe(0)
    expect(await page.locator('body').count()).toBe(1)

    // A later change is still shown (the page kept working), and nothing went to the trap.
    agent.setStatus('thinking', 'still here')
    await entry.filter({ hasText: 'thinking: still here' }).waitFor()
    expect(trapped).toEqual([])
    expect(violations).toEqual([])
  })

  it('an annotation claiming Alice as author is never shown as hers, in the page or the API', async () => {
    const agent = await connectTestAgent(suite.server, 'agent-b')
    agents.push(agent)
    agent.createDocument('memo', TEXT)
    const forged = makeAnnotation({
      author: 'alice',
      doc: 'memo',
      target: createAnchor(agent.text('memo'), 4, 10),
      body: { comment: 'Forged in Alice’s name' },
      createdAt: Date.now(),
    })
    agent.namespace.getMap('annotations').set(forged.id, forged)
    agent.annotate('memo', { quote: 'planned for March' }, { comment: 'Honest note' })
    await agent.flushed()

    const { page } = await suite.open('alice', '/w/w1?doc=memo')
    await waitForEditorText(page, { equals: TEXT })
    // The honest one arrives from the same namespace, so the forged one has too.
    await page.locator('.annotations [data-author="agent-b"]', { hasText: 'Honest note' }).waitFor()
    await page.locator('.pp-annotation[title*="Honest note"]').waitFor()
    expect(await page.locator('.annotations [data-author="alice"]').count()).toBe(0)
    expect(await page.getByText('Forged in Alice’s name').count()).toBe(0)
    expect(await page.locator('.pp-annotation[title*="Forged"]').count()).toBe(0)

    const res = await fetch(`${suite.server.url}/api/workspaces/w1/divergences?doc=memo`, { headers: { authorization: `Bearer ${token('alice')}` } })
    const body = JSON.stringify(await res.json())
    expect(body).toContain('Honest note')
    expect(body).not.toContain('Forged')
  })
})

describe('local copies', () => {
  it('signing out deletes every local database and cached answer', async () => {
    const { page } = await suite.open('alice', '/w/w1')
    await presenceOf(page, 'alice').filter({ hasText: '(you)' }).waitFor()
    await waitFor(async () => (await databases(page)).some((n) => n.startsWith('polyphony:alice:w1/ns/alice')), 'alice’s local copies')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: /sign in/i }).waitFor()
    await waitFor(async () => (await databases(page)).every((n) => !n.startsWith('polyphony:')), 'local copies deleted after sign-out')
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('polyphony.')))).toEqual([])
  })

  it('a different principal signing in on the same browser never finds the previous one’s namespaces', async () => {
    const { page } = await suite.open('alice', '/w/w1')
    await presenceOf(page, 'alice').filter({ hasText: '(you)' }).waitFor()
    await waitFor(async () => (await databases(page)).some((n) => n.startsWith('polyphony:alice:')), 'alice’s local copies')
    // No sign-out: Bob's invite link opened in the same browser.
    await page.goto(`${suite.server.url}/?invite#token=${encodeURIComponent(token('bob'))}`)
    await page.getByRole('button', { name: 'Sign out' }).waitFor()
    await waitFor(async () => (await databases(page)).every((n) => !n.startsWith('polyphony:alice:')), 'alice’s copies deleted when bob signed in')
    await page.goto(`${suite.server.url}/w/w1`)
    await presenceOf(page, 'bob').filter({ hasText: '(you)' }).waitFor()
    await waitFor(async () => (await databases(page)).some((n) => n.startsWith('polyphony:bob:')), 'bob’s own copies')
    expect((await databases(page)).filter((n) => n.startsWith('polyphony:alice:'))).toEqual([])
  })
})

describe('the service worker', () => {
  it('caches the real build assets but not a missing one (a 404)', async () => {
    const { page } = await suite.open('alice', '/')
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 })
    const seen = await page.evaluate(async () => {
      const missing = await fetch('/assets/missing.js')
      const script = document.querySelector<HTMLScriptElement>('script[src^="/assets/"]')!.getAttribute('src')!
      const cache = await caches.open('polyphony-shell-v1')
      return { status: missing.status, cachedMissing: (await cache.match('/assets/missing.js')) !== undefined, cachedScript: (await cache.match(script)) !== undefined }
    })
    expect(seen).toEqual({ status: 404, cachedMissing: false, cachedScript: true })
  })
})
