// A peer that goes silent (no FIN, no RST) is cut after it misses a ping, so its room can
// unload and its quota frees up.

import { afterEach, expect, it } from 'vitest'
import { TcpProxy } from './TcpProxy.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { connectStock, synced, type StockClient } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait.ts'

let server: TestServer
let proxy: TcpProxy
let client: StockClient
afterEach(async () => {
  client?.destroy()
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
