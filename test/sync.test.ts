// [core] Stock y-websocket clients sync through the server; state survives restarts.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { useHarness } from './helpers/harness.ts'
import { synced, text } from './helpers/clients.ts'
import { until, waitFor } from './helpers/wait.ts'

const t = useHarness()

describe('sync', () => {
  it('two stock WebsocketProviders converge through the server', async () => {
    await t.start()
    const a = t.stock('w1/shared', 'alice')
    const b = t.stock('w1/shared', 'bob')
    await synced(a, b)
    text(a).insert(0, 'hello ')
    text(b).insert(0, 'world ')
    await until([a.doc, b.doc], 'update', () => text(a).toString() === text(b).toString() && text(a).length === 12, 'convergence')
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc))
  })

  it('a restarted server serves the same state from disk', async () => {
    const server = await t.start()
    const a = t.stock('w1/shared', 'alice')
    await synced(a)
    a.doc.getMap('docs').set('x', 1)
    text(a).insert(0, 'durable text')
    const room = await server.core.room('w1/shared')
    await until(room.doc, 'update', () => room.doc.getText('main').toString() === 'durable text', 'server to apply')
    a.destroy()
    await server.restart()
    const fresh = t.stock('w1/shared', 'bob')
    await synced(fresh)
    await until(fresh.doc, 'update', () => text(fresh).toString() === 'durable text', 'restored text')
    expect(fresh.doc.getMap('docs').get('x')).toBe(1)
  })

  it('awareness flows between clients and is removed when a client leaves', async () => {
    await t.start()
    const a = t.stock('w1/shared', 'alice')
    const b = t.stock('w1/shared', 'bob')
    await synced(a, b)
    a.provider.awareness.setLocalStateField('status', { state: 'reading' })
    await until(
      b.provider.awareness,
      'change',
      () => (b.provider.awareness.getStates().get(a.doc.clientID) as { status?: { state: string } } | undefined)?.status?.state === 'reading',
      'awareness',
    )
    a.provider.disconnect()
    await until(b.provider.awareness, 'change', () => !b.provider.awareness.getStates().has(a.doc.clientID), 'awareness removal')
  })

  it('an idle client alone in a room keeps hearing from the server, so the stock provider never times its socket out', async () => {
    // WebSocket pings never reach y-websocket's JavaScript; it closes a socket silent for 30 s.
    await t.start({ limits: { keepAliveIntervalMs: 50 } })
    const a = t.stock('w1/shared', 'alice')
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
