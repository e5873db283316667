// Sent is not seen: a writer whose link delays what the server sent it edits the same words as
// another writer. The server had *sent* the first edit, but the second writer had not *seen* it.
// Our clients say so (MESSAGE_CAUSAL); for stock clients the structure says so (Yjs deletes only
// live text, so re-deleting "quick" proves the writer still had it), and both are recorded.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ChaosHarness, stockOnline } from './harness.ts'
import { startTestServer, token, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { expectConflicts, expectedConflict } from './expectedConflicts.ts'

const h = new ChaosHarness()
let server: TestServer
afterEach(async () => {
  await h.cleanup()
  await server?.close()
})

const BASE = 'The quick brown fox jumps over the lazy dog.'
const replaceQuick = (t: Y.Text, word: string) => {
  const at = t.toString().indexOf('quick')
  t.delete(at, 5)
  t.insert(at, word)
}

describe('edits within one round trip', () => {
  it('SDK agents: the delayed writer had not seen the other edit, and the conflict is recorded', async () => {
    server = await startTestServer()
    const link = await h.proxy(server.port)
    const fast = await h.agent(server.url, 'agent-a')
    const slow = await h.agent(link.url, 'agent-b')
    fast.createDocument('draft', BASE)
    await fast.flushed()
    await waitFor(() => slow.documents().includes('draft') && slow.read('draft') === BASE, 'slow agent has the draft')
    link.stall('down') // the server's messages to the slow agent wait in the proxy
    fast.edit('draft', (t) => replaceQuick(t, 'fast'))
    await fast.flushed() // stored and sent towards the slow agent, who has not received it
    slow.edit('draft', (t) => replaceQuick(t, 'slow'))
    link.resume('down')
    await slow.flushed()
    await waitFor(() => slow.read('draft') === fast.read('draft'), 'convergence')
    await expectConflicts(server.url, token('alice'), [expectedConflict('overlapping-text-edit', 'w1/shared', ['docs', 'draft'], ['agent-a', 'agent-b'])])
  })

  it('stock clients: the same timing is recorded too (the re-deletion is structural evidence)', async () => {
    server = await startTestServer()
    const link = await h.proxy(server.port)
    const fast = h.stock(server.wsUrl, 'alice')
    const slow = h.stock(link.wsUrl, 'bob')
    await Promise.all([stockOnline(fast), stockOnline(slow)])
    const draft = (d: Y.Doc) => d.getMap('docs').get('draft') as Y.Text | undefined
    const t = new Y.Text()
    fast.doc.getMap('docs').set('draft', t)
    t.insert(0, BASE)
    await waitFor(() => draft(slow.doc)?.toString() === BASE, 'slow client has the draft')
    link.stall('down')
    replaceQuick(t, 'fast')
    const room = await server.core.room('w1/shared')
    await waitFor(() => (room.doc.getMap('docs').get('draft') as Y.Text).toString().includes('fast'), 'server applied the fast edit')
    replaceQuick(draft(slow.doc)!, 'slow')
    link.resume('down')
    await waitFor(() => draft(slow.doc)!.toString() === t.toString(), 'convergence')
    await room.drain()
    const found = await server.conflicts.list('w1', { status: 'all' })
    expect(found.map((c) => [c.kind, c.parties.map((p) => p.principal)])).toEqual([['overlapping-text-edit', ['alice', 'bob']]])
  })
})
