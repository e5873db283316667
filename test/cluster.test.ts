// Several servers on one PostgreSQL (issue [scale]): three real server processes with
// --database, clients spread over them. Rooms are owned by one instance at a time; sockets that
// land elsewhere are relayed; a killed owner's rooms move to a survivor once its lease lapses,
// and a paused owner that resumes after losing its lease can neither store nor acknowledge.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { useHarness } from './helpers/harness.ts'
import { startChildServer, type ChildServer } from './helpers/childServer.ts'
import { synced, text, type StockClient } from './helpers/clients.ts'
import { freshDatabase } from './helpers/postgres.ts'
import { openRaw, syncMessage, syncStep1, textUpdate } from './helpers/rawSocket.ts'
import { until, waitFor } from './helpers/wait.ts'
import { token } from './helpers/server.ts'
import { CLOSE, MESSAGE_PERSISTED, persistedRequest, readPersistedReply } from '../shared/wire/index.ts'

const h = useHarness()
const LEASE_MS = 1000

async function instance(database: string, id: string): Promise<ChildServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `polyphony-cluster-${id}-`))
  const server = await startChildServer({ dataDir, args: ['--database', database, '--instance-id', id, '--lease-ms', String(LEASE_MS)] })
  h.defer(async () => {
    await server.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })
  return server
}

async function cluster(n: number): Promise<ChildServer[]> {
  const database = await freshDatabase('cluster')
  const ids = ['a', 'b', 'c'].slice(0, n)
  return Promise.all(ids.map((id) => instance(database, id)))
}

/** A gauge or counter value from an instance's /metrics. */
async function metric(server: ChildServer, name: string): Promise<number> {
  const body = await (await fetch(`${server.url}/metrics`)).text()
  const line = body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
  return line ? Number(line.split(' ').at(-1)) : 0
}

/** A stock provider that asks for durable acknowledgements; `acked()` is how many of its own edits are durable. */
function ackedClient(server: ChildServer, room: string, who: string): StockClient & { acked(): number } {
  const client = h.stock(room, who, { server, params: { persisted: '1' } })
  let acked = 0
  client.provider.messageHandlers[MESSAGE_PERSISTED] = (_encoder, decoder) => {
    const sv = Y.decodeStateVector(readPersistedReply(decoder).stateVector)
    acked = Math.max(acked, sv.get(client.doc.clientID) ?? 0)
  }
  return Object.assign(client, { acked: () => acked })
}

describe('three instances on one Postgres', () => {
  it('clients spread over three instances converge on one owner; the other two relay', async () => {
    const [a, b, c] = await cluster(3)
    const alice = h.stock('w1/shared', 'alice', { server: a })
    await synced(alice)
    const bob = h.stock('w1/shared', 'bob', { server: b })
    const agent = h.stock('w1/shared', 'agent-a', { server: c })
    await synced(bob, agent)
    text(alice).insert(0, 'A ')
    text(bob).insert(0, 'B ')
    text(agent).insert(0, 'C ')
    const all = [alice, bob, agent]
    await until(
      all.map((x) => x.doc),
      'update',
      () => all.every((x) => text(x).length === 6 && text(x).toString() === text(alice).toString()),
      'three clients converge',
    )
    // An SDK agent on c (token in the subprotocol, durable acknowledgements) joins through the relay.
    const sdk = await h.agent('agent-b', { server: c, role: 'editor' })
    sdk.createDocument('notes', 'from the SDK on c')
    await sdk.flushed()
    await waitFor(() => alice.doc.getMap('docs').get('notes')?.toString() === 'from the SDK on c', 'alice sees the agent’s document')
    // w1/shared lives at a; b only relays; c relays its two shared-room sockets and took the
    // agent's own namespace room, which no other instance held.
    expect(await metric(a, 'polyphony_rooms_loaded')).toBe(1)
    expect(await metric(b, 'polyphony_rooms_loaded')).toBe(0)
    expect(await metric(b, 'polyphony_relayed_sockets')).toBe(1)
    expect(await metric(c, 'polyphony_relayed_sockets')).toBe(2)
  })

  it('kill -9 of the owner mid-burst: a survivor takes the room over, every acknowledged edit is there, clients converge', async () => {
    const [a, b, c] = await cluster(3)
    // a owns the room: its first socket landed there.
    const first = h.stock('w1/shared', 'alice', { server: a })
    await synced(first)
    first.destroy()
    const writers = [ackedClient(b, 'w1/shared', 'bob'), ackedClient(c, 'w1/shared', 'agent-a')]
    await synced(...writers)
    // Offline through the whole failover: it edits, and syncs only once the room has moved.
    const offline = h.stock('w1/shared', 'agent-b', { server: c, connect: false })
    text(offline).insert(0, 'offline. ')
    const EDITS = 300
    let killedAt = 0
    let ackedAtKill = [0, 0]
    for (let i = 0; i < EDITS; i++) {
      for (const [k, w] of writers.entries()) text(w).insert(text(w).length, k === 0 ? 'b' : 'c')
      if (i === 100) {
        await waitFor(() => writers.every((w) => w.acked() >= 50), 'acks before the kill')
        ackedAtKill = writers.map((w) => w.acked())
        killedAt = performance.now()
        await a.kill('SIGKILL')
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
    await waitFor(() => writers.every((w) => w.acked() === EDITS), 'every edit acknowledged by the new owner', 30_000)
    const failoverMs = performance.now() - killedAt
    offline.provider.connect()
    await synced(offline)
    console.log(`failover after kill -9: every edit acknowledged ${failoverMs.toFixed(0)} ms after the kill (lease ${LEASE_MS} ms)`)
    // A fresh client on either survivor sees everything, including what was acknowledged by a.
    const fresh = h.stock('w1/shared', 'rita', { server: b })
    await synced(fresh)
    await waitFor(() => text(fresh).length === 2 * EDITS + 'offline. '.length, 'fresh client has every edit')
    const s = text(fresh).toString()
    expect(s).toContain('offline. ')
    expect([...s].filter((ch) => ch === 'b')).toHaveLength(EDITS)
    expect([...s].filter((ch) => ch === 'c')).toHaveLength(EDITS)
    expect(ackedAtKill.every((n) => n >= 50)).toBe(true)
    expect((await metric(b, 'polyphony_rooms_loaded')) + (await metric(c, 'polyphony_rooms_loaded'))).toBe(1)
    // Nobody overwrote anybody: the failover provoked no conflict (appends at the end are not overwrites).
    const conflicts = await (await fetch(`${b.url}/api/workspaces/w1/conflicts`, { headers: { authorization: `Bearer ${token('rita')}` } })).json()
    expect(conflicts).toMatchObject({ conflicts: [] })
  })

  it('a paused owner (SIGSTOP) loses the room; resumed (SIGCONT), its late write is refused, never acknowledged, and it relays to the new owner', async () => {
    const [a, b] = await cluster(2)
    const x = openRaw(a.wsUrl, 'w1/shared', 'bob')
    await x.opened()
    x.send(syncStep1())
    await x.waitFor('sync')
    x.send(syncMessage(textUpdate('before pause. ', 101)))
    expect((await x.persisted(1)).get(101)).toBeGreaterThan(0)

    a.proc.kill('SIGSTOP')
    h.defer(() => a.proc.kill('SIGCONT'))
    // b takes the room once a's lease lapsed: its stock client retries until then.
    const y = ackedClient(b, 'w1/shared', 'alice')
    await synced(y)
    text(y).insert(0, 'from b. ')
    await waitFor(() => y.acked() > 0, 'b acknowledges as the new owner', 20_000)

    // Written to the paused owner's socket: it reaches a only when it resumes.
    x.send(syncMessage(textUpdate('late write. ', 202)))
    x.send(persistedRequest(2))
    a.proc.kill('SIGCONT')
    const closed = await x.whenClosed(20_000)
    expect(closed.code).toBe(CLOSE.roomMoved)
    expect(x.received.some((m) => m.kind === 'persisted' && m.requestId === 2)).toBe(false)

    // What is stored is what b holds: the early write (acknowledged by a before it lost the
    // room) and b's, never the late one.
    const check = h.stock('w1/shared', 'rita', { server: b })
    await synced(check)
    await waitFor(() => text(check).toString().includes('from b.'), 'b content')
    expect(text(check).toString()).toContain('before pause.')
    expect(text(check).toString()).not.toContain('late write.')
    // a is alive again and relays the room to its new owner.
    const z = h.stock('w1/shared', 'agent-a', { server: a })
    await synced(z)
    await waitFor(() => text(z).toString() === text(check).toString(), 'client on a sees b’s room')
    expect(await metric(a, 'polyphony_relayed_sockets')).toBe(1)
  })
})
