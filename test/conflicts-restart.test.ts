// [precision] The demo through a graceful restart: the server seeded the room itself, reviewers run,
// people edit online, collide offline and resolve one collision. After the restart, with everyone
// reconnecting, the conflict log is exactly what it was, and sequential edits open nothing.
import { afterEach, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Y from 'yjs'
import { startServer, type RunningServer } from '../server/server.ts'
import { createLogger } from '../server/logger.ts'
import { demoBootstrap, demoTokens, seedDemoContent, type DemoTokens } from '../app/demo.ts'
import { startDemoAgents } from '../app/demoAgents.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { httpJson } from './helpers/http.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'

let server: RunningServer | undefined
let stopAgents: (() => Promise<void>) | undefined
const clients: StockClient[] = []
const dataDir = mkdtempSync(join(tmpdir(), 'polyphony-demo-restart-'))
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  await stopAgents?.()
  await server?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function start(tokens: DemoTokens, port = 0): Promise<RunningServer> {
  const s = await startServer({ port, host: '127.0.0.1', dataDir, bootstrap: demoBootstrap(tokens), logger: createLogger('silent') })
  await seedDemoContent(s)
  // In one test process the HTTP client may reuse a pooled socket to the previous server on this
  // port: that first request fails and the next opens a fresh connection (a new process would not).
  for (let attempt = 1; ; attempt++) {
    try {
      stopAgents = await startDemoAgents(s, tokens)
      return s
    } catch (err) {
      if (attempt >= 3) throw err
    }
  }
}

const announcement = (d: Y.Doc) => d.getMap('docs').get('announcement') as Y.Text

it('the demo after a graceful restart: the conflict log is exactly what it was; sequential edits open nothing', async () => {
  const tokens = demoTokens(dataDir)
  server = await start(tokens)
  const url = () => `ws://127.0.0.1:${(server as RunningServer).port}/sync`
  const log = async (): Promise<ConflictRecord[]> => {
    const res = await httpJson<{ conflicts: ConflictRecord[] }>(`http://127.0.0.1:${(server as RunningServer).port}/api/workspaces/demo/conflicts?status=all&limit=200`, {
      token: tokens.alice,
    })
    return res.json.conflicts.map(({ current: _current, context: _context, ...r }) => r)
  }
  const drain = async () => (await (server as RunningServer).core.room('demo/shared')).drain()
  const alice = connectStock(url(), 'demo/shared', 'alice', { tokenValue: tokens.alice })
  const bob = connectStock(url(), 'demo/shared', 'bob', { tokenValue: tokens.bob })
  clients.push(alice, bob)
  await synced(alice, bob)
  await waitFor(() => announcement(bob.doc)?.length > 0 && announcement(alice.doc)?.length > 0, 'the seeded announcement')

  // Online, one after the other.
  announcement(alice.doc).insert(0, 'DRAFT: ')
  await waitFor(() => announcement(bob.doc).toString().startsWith('DRAFT: '), 'bob sees alice')
  announcement(bob.doc).delete(0, 7)
  alice.doc.getMap('meta').set('title', 'Launch')
  await waitFor(() => !announcement(alice.doc).toString().startsWith('DRAFT: ') && bob.doc.getMap('meta').get('title') === 'Launch', 'both see both')
  // Offline, both rewrite the title and the first word.
  alice.provider.disconnect()
  bob.provider.disconnect()
  alice.doc.getMap('meta').set('title', 'Alice title')
  bob.doc.getMap('meta').set('title', 'Bob title')
  const first = announcement(alice.doc).toString().split(' ')[0]
  for (const [c, word] of [
    [alice, 'Hello'],
    [bob, 'Howdy'],
  ] as const) {
    announcement(c.doc).delete(0, first.length)
    announcement(c.doc).insert(0, word)
  }
  alice.provider.connect()
  await synced(alice)
  bob.provider.connect()
  await synced(bob)
  await waitFor(async () => (await log()).length === 2, 'the two collisions')
  const title = (await log()).find((r) => r.kind === 'map-key-overwrite') as ConflictRecord
  const resolved = await httpJson(`http://127.0.0.1:${server.port}/api/workspaces/demo/conflicts/${title.id}/resolve`, {
    method: 'POST',
    token: tokens.alice,
    body: { pick: 'bob' },
  })
  expect(resolved.status).toBe(200)
  await waitFor(() => alice.doc.getMap('meta').get('title') === 'Bob title', 'the resolution reaches alice')
  await drain()
  const before = await log()
  expect(before.map((r) => [r.kind, r.status]).sort()).toEqual([
    ['map-key-overwrite', 'resolved'],
    ['overlapping-text-edit', 'open'],
  ])

  // A graceful restart on the same port; the clients and reviewers reconnect by themselves.
  const port = server.port
  await stopAgents?.()
  await server.close()
  server = await start(tokens, port)
  await waitFor(() => alice.provider.synced && bob.provider.synced && alice.provider.wsconnected && bob.provider.wsconnected, 'clients back')
  await drain()
  expect(await log()).toEqual(before)

  // Sequential edits after the restart open nothing.
  announcement(alice.doc).insert(announcement(alice.doc).length, ' (edited)')
  await waitFor(() => announcement(bob.doc).toString().endsWith(' (edited)'), 'bob sees the edit')
  announcement(bob.doc).delete(announcement(bob.doc).length - 9, 9)
  bob.doc.getMap('meta').set('title', 'Final title')
  await waitFor(() => alice.doc.getMap('meta').get('title') === 'Final title' && !announcement(alice.doc).toString().endsWith(' (edited)'), 'alice sees bob')
  await drain()
  expect(await log()).toEqual(before)
})
