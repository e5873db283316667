// The SDK's reconnect policy follows isFinalClose (shared/wire/closeCodes.ts), like the browser:
// after a refused change (1009) it stops and says why; after a full per-principal cap (4429)
// it keeps retrying and gets in once a slot frees up.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { RoomSync } from '../agents/sdk/RoomSync.ts'
import { CLOSE } from '../shared/wire/index.ts'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'

const FAST_BACKOFF = { baseMs: 20, capMs: 100 }

let server: TestServer | undefined
const syncs: RoomSync[] = []
const stock: StockClient[] = []
afterEach(async () => {
  for (const s of syncs.splice(0)) s.destroy()
  for (const c of stock.splice(0)) c.destroy()
  await server?.close()
  server = undefined
})

function roomSync(room: string, who: string): RoomSync {
  const sync = new RoomSync({ wsUrl: server!.wsUrl, room, token: token(who), backoff: FAST_BACKOFF })
  syncs.push(sync)
  return sync
}

/** Close codes the SDK's sockets receive, in order. */
function closesOf(sync: RoomSync): number[] {
  const codes: number[] = []
  sync.provider.on('connection-close', (event: CloseEvent | null) => event && codes.push(event.code))
  return codes
}

describe('SDK reconnect policy (isFinalClose)', () => {
  it('stops after a refused change (1009) and says why, instead of resending it forever', async () => {
    server = await startTestServer({ limits: { maxMessageBytes: 4096 } })
    const sync = roomSync('team/shared', 'agent-a')
    const closes = closesOf(sync)
    await sync.whenSynced()
    // 'offline' comes first (the socket is down), then the verdict on its close.
    const denied = new Promise<void>((resolve) => sync.on('state', (state) => state === 'denied' && resolve()))
    sync.doc.getMap<Y.Text>('docs').set('big', new Y.Text('x'.repeat(10_000)))
    await denied
    expect(closes).toEqual([CLOSE.messageTooBig])
    // ws refuses an oversized frame itself, without a reason: the SDK names the code then.
    expect(sync.deniedReason).toMatch(/too big|1009/)
    // No retry is pending: the provider is not connecting, and nothing else reached the server.
    expect(sync.provider.wsconnecting || sync.provider.wsconnected).toBe(false)
    await waitFor(() => server!.core.connectionCount === 0, 'the refused socket to be gone')
  })

  it('retries after a full per-principal cap (4429) and syncs once a room frees up', async () => {
    server = await startTestServer({ limits: { maxRoomsPerPrincipal: 1 } })
    const holder = connectStock(server.wsUrl, 'w1/shared', 'agent-a')
    stock.push(holder)
    await synced(holder)
    const sync = roomSync('team/shared', 'agent-a')
    const closes = closesOf(sync)
    await waitFor(() => closes.length >= 2, 'the SDK to be refused twice (so it retried)')
    expect(new Set(closes)).toEqual(new Set([CLOSE.tooManyRooms]))
    expect(sync.state).not.toBe('denied')
    holder.destroy()
    await sync.whenSynced()
    expect(sync.state).toBe('online')
  })
})
