// [core] Stock y-websocket clients sync through the server; state survives restarts.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestServer, type TestServer } from './helpers/server.ts'
import { connectStock, synced, text, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'

let server: TestServer
const clients: StockClient[] = []
const open = (room: string, who: string, opts?: Parameters<typeof connectStock>[3]) => {
  const c = connectStock(server.wsUrl, room, who, opts)
  clients.push(c)
  return c
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  await server?.close()
})

describe('sync', () => {
  it('two stock WebsocketProviders converge through the server', async () => {
    server = await startTestServer()
    const a = open('w1/shared', 'alice')
    const b = open('w1/shared', 'bob')
    await synced(a, b)
    text(a).insert(0, 'hello ')
    text(b).insert(0, 'world ')
    await waitFor(() => text(a).toString() === text(b).toString() && text(a).length === 12, 'convergence')
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc))
  })

  it('a restarted server serves the same state from disk', async () => {
    server = await startTestServer()
    const a = open('w1/shared', 'alice')
    await synced(a)
    a.doc.getMap('docs').set('x', 1)
    text(a).insert(0, 'durable text')
    await waitFor(async () => (await server.core.room('w1/shared')).doc.getText('main').toString() === 'durable text', 'server to apply')
    a.destroy()
    server = await server.restart()
    const fresh = open('w1/shared', 'bob')
    await synced(fresh)
    await waitFor(() => text(fresh).toString() === 'durable text', 'restored text')
    expect(fresh.doc.getMap('docs').get('x')).toBe(1)
  })

  it('awareness flows between clients and is removed when a client leaves', async () => {
    server = await startTestServer()
    const a = open('w1/shared', 'alice')
    const b = open('w1/shared', 'bob')
    await synced(a, b)
    a.provider.awareness.setLocalStateField('status', { state: 'reading' })
    await waitFor(() => (b.provider.awareness.getStates().get(a.doc.clientID) as { status?: { state: string } } | undefined)?.status?.state === 'reading', 'awareness')
    a.provider.disconnect()
    await waitFor(() => !b.provider.awareness.getStates().has(a.doc.clientID), 'awareness removal')
  })

  it('an idle client alone in a room keeps hearing from the server, so the stock provider never times its socket out', async () => {
    // WebSocket pings never reach y-websocket's JavaScript; it closes a socket silent for 30 s.
    server = await startTestServer({ limits: { keepAliveIntervalMs: 50 } })
    const a = open('w1/shared', 'alice')
    await synced(a)
    const heard: number[] = []
    a.provider.ws!.addEventListener('message', () => heard.push(Date.now()))
    await waitFor(() => heard.length >= 3, 'three keep-alives while idle', 5_000)
    // The keep-alive is an empty awareness update: it adds no one and changes nothing.
    expect([...a.provider.awareness.getStates().keys()]).toEqual([a.doc.clientID])
    expect(a.closes).toEqual([])
    expect(text(a).toString()).toBe('')
  })
})
