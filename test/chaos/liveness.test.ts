// A peer that goes silent (no FIN, no RST) is cut after it misses a ping, so its room can
// unload and its quota frees up.

import { afterEach, expect, it } from 'vitest'
import { TcpProxy } from './TcpProxy.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { connectStock, synced, type StockClient } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait.ts'
import { openRaw, syncMessage, type RawSocket } from '../helpers/rawSocket.ts'
import * as Y from 'yjs'

let server: TestServer
let proxy: TcpProxy
let client: StockClient
let raw: RawSocket | undefined
afterEach(async () => {
  client?.destroy()
  raw?.close()
  raw = undefined
  await proxy?.close()
  await server?.close()
})

it('cuts a silent connection after a missed pong', async () => {
  server = await startTestServer({ limits: { pingIntervalMs: 100 } })
  proxy = await TcpProxy.start({ target: { port: server.port } })
  client = connectStock(proxy.wsUrl, 'w1/shared', 'bob')
  await synced(client)
  const room = await server.core.room('w1/shared')
  expect(room.connections.size).toBe(1)
  proxy.stall('both')
  await waitFor(() => room.connections.size === 0, 'the server to drop the silent peer', 5_000)
  expect(server.core.connectionCount).toBe(0)
})

it('keeps a writer whose backlog the server reads for longer than the ping interval', async () => {
  // The rate limit reads 100 messages/s: 200 edits take ~2 s to read, and the writer's pongs wait
  // behind them in the socket. Paused by the server, the socket is not judged until it is read.
  server = await startTestServer({ limits: { pingIntervalMs: 100, messageBurst: 10, messagesPerSecond: 100 } })
  raw = openRaw(server.wsUrl, 'w1/shared', 'bob', { params: { persisted: '1' } })
  await raw.opened()
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  for (let i = 0; i < 200; i++) doc.getText('main').insert(i, 'x')
  for (const u of updates) raw.send(syncMessage(u))
  const durable = await raw.persisted(1)
  expect(durable.get(doc.clientID)).toBe(200)
  expect(raw.closed).toBeNull()
  const room = await server.core.room('w1/shared')
  expect(room.doc.getText('main').toString()).toBe('x'.repeat(200))
})
