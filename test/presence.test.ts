// [presence] What the server vouches for in awareness: identity comes from the registry and
// colours are #rrggbb, whatever a client announces; a principal keeps its own awareness ids
// across a quick reconnect (old socket reaped or not), another principal cannot take them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useHarness } from './helpers/harness.ts'
import { synced, type StockClient } from './helpers/clients.ts'
import { awarenessEntry, openRaw, type RawSocket } from './helpers/rawSocket.ts'
import { waitFor } from './helpers/wait.ts'
import { TcpProxy } from './chaos/TcpProxy.ts'
import type { Connection } from '../server/core/Connection.ts'
import { assignedColors, colorsFor, PALETTE, PRESENCE_LIMITS, readPresence, vouchPresence } from '../shared/presence/index.ts'

const ROOM = 'w1/shared'
/** A payload that would inject CSS, markup and a request to a loopback address nobody serves. */
const HOSTILE_USER = {
  principal: 'alice',
  kind: 'human',
  name: '<img src="http://127.0.0.1:9/pwn.png">Alice',
  color: 'red; position: fixed; inset: 0; background: url(http://127.0.0.1:9/pwn.png)',
  colorLight: 'url(http://127.0.0.1:9/x)',
  role: 'owner',
}

const t = useHarness()
beforeAll(() => t.start())

function stock(principal: string, wsUrl = t.server.wsUrl): StockClient {
  return t.stock(ROOM, principal, { server: { wsUrl } })
}

function stateAt(watcher: StockClient, clientId: number): Record<string, unknown> | undefined {
  return watcher.provider.awareness.getStates().get(clientId)
}

function cursorAt(watcher: StockClient, clientId: number): number | undefined {
  return (stateAt(watcher, clientId)?.cursor as { anchor?: { n?: number } } | undefined)?.anchor?.n
}

describe('the server vouches for identity', () => {
  it('relays the registry identity and the colour the workspace gave it, not what an agent announces', async () => {
    const agent = stock('agent-a')
    const alice = stock('alice')
    await synced(agent, alice)
    agent.provider.awareness.setLocalState({ user: HOSTILE_USER, status: { state: 'writing' } })
    await waitFor(() => stateAt(alice, agent.doc.clientID)?.status !== undefined, 'the agent state at alice')
    expect(stateAt(alice, agent.doc.clientID)).toEqual({
      user: { principal: 'agent-a', kind: 'agent', name: 'agent-a', ...assignedColors(t.server.registry.colorOf('w1', 'agent-a'), 'agent-a'), role: 'owner' },
      status: { state: 'writing' },
    })
    expect(agent.denials).toEqual([])
  })

  it("a member's colour is its workspace's palette slot, distinct from every other member's, whatever it announces", async () => {
    const agent = stock('agent-b')
    const bob = stock('bob')
    await synced(agent, bob)
    agent.provider.awareness.setLocalStateField('user', { name: 'whatever', color: '#123abc' })
    await waitFor(() => stateAt(bob, agent.doc.clientID) !== undefined, 'the agent state at bob')
    const assigned = t.server.registry.colorOf('w1', 'agent-b')
    expect(PALETTE).toContain(assigned)
    expect(stateAt(bob, agent.doc.clientID)?.user).toEqual({ principal: 'agent-b', kind: 'agent', name: 'agent-b', color: assigned, colorLight: `${assigned}33` })
    const members = t.server.registry.members('w1')
    expect(members.length).toBeGreaterThan(1)
    expect(members.length).toBeLessThanOrEqual(PALETTE.length)
    expect(new Set(members.map((m) => m.color)).size).toBe(members.length)
  })

  it('refuses a state that is not an object or is too large, and applies nothing of that update', async () => {
    const raw = t.own(openRaw(t.server.wsUrl, ROOM, 'agent-a'))
    await raw.opened()
    await raw.waitFor('sync')
    const room = await t.server.core.room(ROOM)
    raw.send(awarenessEntry(991, 1, 'just a string'))
    await raw.waitFor('denied', (m) => m.reason.includes('JSON object'))
    raw.send(awarenessEntry(992, 1, { status: { state: 'idle', detail: 'x'.repeat(PRESENCE_LIMITS.stateChars) } }))
    await raw.waitFor('denied', (m) => m.reason.includes(`over ${PRESENCE_LIMITS.stateChars} characters`))
    expect(room.presence.awareness.getStates().has(991)).toBe(false)
    expect(room.presence.awareness.getStates().has(992)).toBe(false)
    // The socket stays usable: a proper state goes through.
    raw.send(awarenessEntry(993, 1, { status: { state: 'idle' } }))
    await waitFor(() => room.presence.awareness.getStates().has(993), 'a proper state after the refusals')
  })
})

describe('reconnecting keeps presence', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    proxy = await TcpProxy.start({ target: { port: t.server.port } })
  })
  afterAll(async () => {
    await proxy?.close()
  })

  interface Watched {
    alice: StockClient
    bob: StockClient
    /** Alice's connection on the server. */
    serverSide: Connection
    /** How often Bob saw Alice's presence removed. */
    removals: () => number
    /** Times Alice's provider connected. */
    connects: () => number
  }

  /** Alice's stock client through the proxy with presence and a cursor; Bob watches directly. */
  async function aliceWatchedByBob(): Promise<Watched> {
    const room = await t.server.core.room(ROOM)
    const aliceConns = () => [...room.connections].filter((c) => c.ctx.principal === 'alice' && !c.isClosed)
    await waitFor(() => aliceConns().length === 0, 'earlier tests to leave')
    const alice = stock('alice', proxy.wsUrl)
    let connects = 0
    alice.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connected') connects++
    })
    const bob = stock('bob')
    await synced(alice, bob)
    alice.provider.awareness.setLocalState({ user: { name: 'Alice' }, cursor: { anchor: { n: 1 }, head: { n: 1 } } })
    await waitFor(() => stateAt(bob, alice.doc.clientID) !== undefined, 'alice at bob')
    let removed = 0
    bob.provider.awareness.on('change', ({ removed: ids }: { removed: number[] }) => {
      if (ids.includes(alice.doc.clientID)) removed++
    })
    const [serverSide] = aliceConns()
    return { alice, bob, serverSide, removals: () => removed, connects: () => connects }
  }

  it('takes over its own awareness id while the old socket is still open on the server', async () => {
    const { alice, bob, serverSide, removals, connects } = await aliceWatchedByBob()
    const old = proxy.connections.at(-1)!
    // The client's side dies; the server's side stays open (a dead socket not yet reaped).
    old.stall('both')
    old.client.destroy()
    await waitFor(() => connects() === 2 && alice.provider.synced, 'alice back on a second socket')
    expect(serverSide.isClosed).toBe(false)
    alice.provider.awareness.setLocalStateField('cursor', { anchor: { n: 2 }, head: { n: 2 } })
    await waitFor(() => cursorAt(bob, alice.doc.clientID) === 2, 'the new cursor at bob')
    // Now the server reaps the old socket: it no longer owns alice's entry.
    old.cut()
    await waitFor(() => serverSide.isClosed, 'the old socket reaped')
    alice.provider.awareness.setLocalStateField('cursor', { anchor: { n: 3 }, head: { n: 3 } })
    await waitFor(() => cursorAt(bob, alice.doc.clientID) === 3, 'a later cursor at bob')
    expect(alice.denials).toEqual([])
    expect(removals()).toBe(0)
    expect(stateAt(bob, alice.doc.clientID)?.user).toMatchObject({ principal: 'alice', kind: 'human' })
  })

  it('is shown again at once after the old socket was reaped first', async () => {
    const { alice, bob, removals } = await aliceWatchedByBob()
    proxy.connections.at(-1)!.cut()
    await waitFor(() => removals() === 1, 'alice removed at bob when her socket died')
    // Her stock client re-announces its state with the clock it had; the server has a newer
    // one (the removal) and answers with it, so the client re-announces past it. Without that
    // exchange the state would stay hidden until the client's own renewal (15-30 s).
    await waitFor(() => stateAt(bob, alice.doc.clientID) !== undefined, 'alice shown again at bob', 5_000)
    expect(alice.denials).toEqual([])
  })

  it('another principal still cannot take an entry over', async () => {
    const { alice, bob } = await aliceWatchedByBob()
    const thief: RawSocket = t.own(openRaw(t.server.wsUrl, ROOM, 'agent-a'))
    await thief.opened()
    await thief.waitFor('sync')
    const clock = alice.provider.awareness.meta.get(alice.doc.clientID)!.clock
    thief.send(awarenessEntry(alice.doc.clientID, clock + 5, { user: { name: 'Alice' }, cursor: { anchor: { n: 99 }, head: { n: 99 } } }))
    await thief.waitFor('denied', (m) => m.reason.includes(String(alice.doc.clientID)))
    expect(cursorAt(bob, alice.doc.clientID)).toBe(1)
  })
})

describe('presence policy (pure)', () => {
  const who = { principal: 'agent-a', kind: 'agent', name: 'Agent A' } as const

  it('leaves a state without a user alone (cursors of anonymous stock clients)', () => {
    expect(vouchPresence({ cursor: { anchor: {}, head: {} } }, who)).toEqual({ ok: true, state: { cursor: { anchor: {}, head: {} } } })
  })

  it('replaces a user that is not even an object', () => {
    const v = vouchPresence({ user: 'alice' }, who)
    expect(v).toEqual({ ok: true, state: { user: { principal: 'agent-a', kind: 'agent', name: 'Agent A', ...colorsFor('agent-a') } } })
  })

  it('refuses arrays and primitives', () => {
    for (const state of [[1], 3, 'x', true]) expect(vouchPresence(state, who).ok).toBe(false)
  })

  it('reads only checked fields of a peer state in the browser', () => {
    const read = readPresence({
      user: HOSTILE_USER,
      status: { state: 'hacking', detail: 'x' },
      doc: 42,
      cursor: { anchor: 'no', head: {} },
      onclick: 'alert(1)',
    })
    expect(read).toEqual({ user: { principal: 'alice', kind: 'human', name: HOSTILE_USER.name, ...colorsFor('alice'), role: 'owner' } })
    expect(readPresence({ user: { principal: 'x', kind: 'robot', name: '' } })?.user).toMatchObject({ kind: 'agent', name: 'x' })
    expect(readPresence(null)).toBeNull()
    expect(readPresence(7)).toEqual({})
  })
})
