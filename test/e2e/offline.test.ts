// Offline: edits made without network are kept in IndexedDB, survive a reload without
// network (app shell from the service worker), and reach the server and others afterwards.

import { describe, expect, it } from 'vitest'
import { browserSuite } from '../helpers/browserSuite.ts'
import { connectStock, synced } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait.ts'
import { waitForConnection, waitForEditorText } from '../helpers/browser.ts'
import * as Y from 'yjs'

const suite = browserSuite()

describe('offline editing', () => {
  it('keeps offline edits across a reload and syncs them when the network returns', async () => {
    // The service worker that makes an offline reload possible must be served as a script.
    const sw = await fetch(`${suite.server.url}/sw.js`)
    expect(sw.headers.get('content-type'), 'the server must serve /sw.js from the client directory').toMatch(/javascript/)

    // The document exists on the server before anyone opens it.
    const seed = connectStock(suite.server.wsUrl, 'team/shared', 'alice')
    await synced(seed)
    seed.doc.getMap<Y.Text>('docs').set('plan', new Y.Text('Step one.'))

    const alice = await suite.open('alice', '/w/team?doc=plan')
    await waitForEditorText(alice.page, { equals: 'Step one.' })
    await waitForConnection(alice.page, 'saved')
    // The app shell must be cached before we can reload without network.
    await alice.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 })

    await alice.context.setOffline(true)
    await waitForConnection(alice.page, 'offline')
    await alice.page.locator('.cm-content').click()
    await alice.page.keyboard.press('Control+End')
    await alice.page.keyboard.type(' Step two, written offline.')
    await alice.page.locator('.indicator[data-state="offline"][data-local="0"]:not([data-pending="0"])').waitFor()

    // Nothing reached the server while offline.
    expect(seed.doc.getMap<Y.Text>('docs').get('plan')!.toString()).toBe('Step one.')

    await alice.page.reload()
    await waitForEditorText(alice.page, { equals: 'Step one. Step two, written offline.' })
    await waitForConnection(alice.page, 'offline')
    expect(seed.doc.getMap<Y.Text>('docs').get('plan')!.toString()).toBe('Step one.')

    await alice.context.setOffline(false)
    await waitForConnection(alice.page, 'saved')
    await waitFor(() => seed.doc.getMap<Y.Text>('docs').get('plan')?.toString() === 'Step one. Step two, written offline.', 'server to get the offline edit')

    const bob = await suite.open('bob', '/w/team?doc=plan')
    await waitForEditorText(bob.page, { equals: 'Step one. Step two, written offline.' })
    seed.destroy()
  })
})
