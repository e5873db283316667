// Relaying sockets between instances (server/cluster/relaySocket.ts): a socket that lands on
// an instance which does not own its room is proxied to the owner, byte for byte. Here two
// real servers share a cast (same tokens); the second routes every room to the first, as
// room ownership does when several servers share one database.
import { createServer, type Server, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { useHarness } from './helpers/harness.ts'
import { synced, text } from './helpers/clients.ts'
import { openRaw, syncStep1 } from './helpers/rawSocket.ts'
import { until, waitFor } from './helpers/wait.ts'
import { CLOSE } from '../shared/wire/index.ts'

const h = useHarness()

async function ownerAndRelay(limits?: { maxSocketsPerPrincipal?: number; pingIntervalMs?: number }) {
  const owner = await h.start({ dataDir: ':memory:', limits })
  const relay = await h.start({ dataDir: ':memory:', limits, roomRoute: async () => ({ kind: 'relay', ownerUrl: owner.url }) })
  return { owner, relay }
}

describe('relay to the room owner', () => {
  it('a stock client on the relaying instance edits with one on the owner; the document lives only at the owner', async () => {
    const { owner, relay } = await ownerAndRelay()
    const a = h.stock('w1/shared', 'alice', { server: owner })
    const b = h.stock('w1/shared', 'bob', { server: relay })
    await synced(a, b)
    text(a).insert(0, 'from the owner. ')
    text(b).insert(0, 'through the relay. ')
    await until([a.doc, b.doc], 'update', () => text(a).toString() === text(b).toString() && text(a).length > 30, 'convergence')
    expect(relay.core.stats().rooms).toBe(0)
    expect(owner.core.stats().connections).toBe(2)
    // The owner knows bob as bob: he authenticated there with his own token.
    const state = await owner.storage.load('w1/shared')
    expect(new Set(state.updates.map((u) => u.principal))).toEqual(new Set(['alice', 'bob']))
    await expect(relay.metrics.relayedSockets.get()).resolves.toMatchObject({ values: [{ value: 1 }] })
  })

  it('an SDK agent (token in the subprotocol, durable acks) works through the relay', async () => {
    const { owner, relay } = await ownerAndRelay()
    const agent = await h.agent('agent-a', { server: relay })
    agent.createDocument('draft', 'acked through the relay')
    await agent.flushed()
    // flushed() resolved on the owner's durable acknowledgement: it is in the owner's storage.
    const state = await owner.storage.load('w1/shared')
    const check = new Y.Doc()
    for (const u of state.updates) Y.applyUpdate(check, u.data)
    expect(check.getMap('docs').get('draft')?.toString()).toBe('acked through the relay')
    expect(relay.core.stats().rooms).toBe(0)
  })

  it('refuses at the landing instance what the owner would refuse, without relaying', async () => {
    const { relay } = await ownerAndRelay()
    const outsider = openRaw(relay.wsUrl, 'w1/shared', 'outsider')
    expect((await outsider.whenClosed()).code).toBe(CLOSE.forbidden)
    const bad = openRaw(relay.wsUrl, 'w1/shared', 'bob', { tokenValue: 'pp_wrong' })
    expect((await bad.whenClosed()).code).toBe(CLOSE.unauthenticated)
    await expect(relay.metrics.relayedSockets.get()).resolves.toMatchObject({ values: [{ value: 0 }] })
  })

  it('counts relayed sockets against the per-principal socket cap', async () => {
    const { relay } = await ownerAndRelay({ maxSocketsPerPrincipal: 2 })
    const [s1, s2] = [openRaw(relay.wsUrl, 'w1/shared', 'bob'), openRaw(relay.wsUrl, 'team/shared', 'bob')]
    await Promise.all([s1.opened(), s2.opened()])
    s1.send(syncStep1())
    s2.send(syncStep1())
    await Promise.all([s1.waitFor('sync'), s2.waitFor('sync')])
    const third = openRaw(relay.wsUrl, 'blind/shared', 'bob')
    expect((await third.whenClosed()).code).toBe(CLOSE.tooManyRequests)
    // A closed relay frees its place.
    s1.close()
    await s1.whenClosed()
    await waitFor(async () => (await relay.metrics.relayedSockets.get()).values[0].value === 1, 'relay count back to 1')
    const fourth = openRaw(relay.wsUrl, 'w1/tasks', 'bob')
    await fourth.opened()
    fourth.send(syncStep1())
    await fourth.waitFor('sync')
  })

  it('closes with "room moved" (clients reconnect) when the owner is gone or never answers', async () => {
    const { owner, relay } = await ownerAndRelay()
    const a = openRaw(relay.wsUrl, 'w1/shared', 'bob')
    await a.opened()
    a.send(syncStep1())
    await a.waitFor('sync')
    // The owner's own close code reaches the client (a shutdown: transient, it reconnects)…
    await owner.stop()
    expect((await a.whenClosed()).code).toBe(CLOSE.goingAway)
    // …and an owner that no longer listens gives "room moved".
    const b = openRaw(relay.wsUrl, 'w1/shared', 'bob')
    expect((await b.whenClosed()).code).toBe(CLOSE.roomMoved)

    // An owner that accepts TCP but never speaks (a SIGSTOPped process): the handshake times out.
    const held: Socket[] = []
    const silent: Server = createServer((socket) => void held.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    h.defer(() => {
      for (const socket of held) socket.destroy()
      return new Promise((resolve) => silent.close(resolve))
    })
    const port = (silent.address() as { port: number }).port
    const stuck = await h.start({ dataDir: ':memory:', limits: { pingIntervalMs: 300 }, roomRoute: async () => ({ kind: 'relay', ownerUrl: `http://127.0.0.1:${port}` }) })
    const c = openRaw(stuck.wsUrl, 'w1/shared', 'bob')
    expect((await c.whenClosed()).code).toBe(CLOSE.roomMoved)
  })
})
