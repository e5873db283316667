// Two servers on one PostgreSQL (documents, rooms owned per instance, and the conflict log,
// client owners, versions and client id owners): a conflict provoked through instance A reaches
// SSE subscribers of instance B with the same id and is listed by both; a Yjs client id alice
// wrote under on A is refused to another principal on B once B owns the room; a conflict provoked
// through both (one socket relayed) is recorded once with the id one instance gives it; a conflict is
// stored before the update that found it is acknowledged.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { connectStock, synced, apart, type StockClient } from './helpers/clients.ts'
import { openEvents } from './helpers/sse.ts'
import { waitFor } from './helpers/wait.ts'
import { httpJson } from './helpers/http.ts'
import { freshDatabase } from './helpers/postgres.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'
import { openRaw, persistedRequest, syncMessage, type RawSocket } from './helpers/rawSocket.ts'
import { openPostgres } from '../server/pg/PgDatabase.ts'

const servers: TestServer[] = []
const clients: StockClient[] = []
const sockets: RawSocket[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const s of sockets.splice(0)) s.close()
  for (const s of servers.splice(0)) await s.close()
})

async function twoInstances(): Promise<[TestServer, TestServer]> {
  const database = await freshDatabase('instances')
  for (const instanceId of ['A', 'B']) servers.push(await startTestServer({ database, instanceId }))
  return [servers[0], servers[1]]
}

const join = async (server: TestServer, who: string, doc?: Y.Doc) => {
  const c = connectStock(server.wsUrl, 'w1/shared', who, { doc })
  clients.push(c)
  await synced(c)
  return c
}

const listed = async (server: TestServer) =>
  (await httpJson<{ conflicts: ConflictRecord[] }>(`${server.url}/api/workspaces/w1/conflicts?status=all`, { method: 'GET', token: token('alice') })).json.conflicts

describe('several instances on one PostgreSQL: conflicts and client ids', () => {
  it('a conflict provoked through instance A is streamed to SSE on instance B with the same id, and both list it', async () => {
    const [a, b] = await twoInstances()
    const events = await openEvents(b.url, 'w1', token('alice'))
    await events.waitForEvent('ready')
    try {
      const alice = await join(a, 'alice')
      const bob = await join(a, 'bob')
      await apart(alice, bob, (x, y) => {
        x.getMap('meta').set('title', 'A')
        y.getMap('meta').set('title', 'B')
      })
      const streamed = JSON.parse((await events.waitForEvent('conflict')).data) as ConflictRecord
      expect(streamed).toMatchObject({ kind: 'map-key-overwrite', doc: 'w1/shared' })
      const [onA] = await listed(a)
      expect(onA.id).toBe(streamed.id)
      expect((await listed(b)).map((r) => r.id)).toEqual([streamed.id])
      // Resolving on A is streamed to B too.
      const resolvedOnB = new Promise<ConflictRecord>((resolve) => b.conflicts.on('conflict', (_ws, r) => r.status === 'resolved' && resolve(r)))
      const res = await httpJson(`${a.url}/api/workspaces/w1/conflicts/${streamed.id}/resolve`, { method: 'POST', token: token('alice'), body: { pick: 'bob' } })
      expect(res.status).toBe(200)
      expect(await resolvedOnB).toMatchObject({ id: streamed.id, resolution: { by: 'alice', choice: 'bob' } })
    } finally {
      events.close()
    }
  })

  it('a conflict provoked through two instances (bob relayed to the owner) is recorded once, with the id one instance gives it', async () => {
    const provoke = async (alicesServer: TestServer, bobsServer: TestServer): Promise<ConflictRecord[]> => {
      const withId = (clientID: number) => {
        const doc = new Y.Doc()
        doc.clientID = clientID
        return doc
      }
      const alice = await join(alicesServer, 'alice', withId(1001))
      const bob = await join(bobsServer, 'bob', withId(1002))
      await apart(alice, bob, (x, y) => {
        x.getMap('meta').set('title', 'A')
        y.getMap('meta').set('title', 'B')
      })
      await waitFor(async () => (await listed(alicesServer)).length > 0, 'the conflict to be listed')
      return listed(alicesServer)
    }
    const [a, b] = await twoInstances()
    const across = await provoke(a, b)
    // The room lives at A; B only relayed bob's socket.
    expect([a.core.stats().rooms, b.core.stats().rooms]).toEqual([1, 0])
    expect(across.map((r) => [r.kind, r.parties.map((p) => p.principal)])).toEqual([['map-key-overwrite', ['alice', 'bob']]])
    expect((await listed(b)).map((r) => r.id)).toEqual([across[0].id])
    const single = await startTestServer()
    servers.push(single)
    const alone = await provoke(single, single)
    expect(alone.map((r) => r.id)).toEqual([across[0].id])
  })

  it('a Yjs client id alice wrote under on instance A is refused to bob on instance B, which took the room over; the store decides ids the room has not seen', async () => {
    const [a, b] = await twoInstances()
    const alice = await join(a, 'alice')
    alice.doc.getMap('meta').set('by', 'alice')
    await waitFor(async () => (await a.core.room('w1/shared')).doc.getMap('meta').get('by') === 'alice', 'alice’s write on A')
    // A stops (its rooms released); the next socket for the room, on B, makes B its owner.
    const aliceState = Y.encodeStateAsUpdate(alice.doc)
    alice.destroy()
    await a.stop()
    // Bob writes under `clientID` new structs the room lacks (built on what the room has).
    const forge = async (clientID: number) => {
      const forged = new Y.Doc()
      Y.applyUpdate(forged, aliceState)
      const before = Y.encodeStateVector(forged)
      forged.clientID = clientID
      forged.getMap('meta').set('by', 'not alice')
      const forger = openRaw(b.wsUrl, 'w1/shared', 'bob')
      sockets.push(forger)
      await forger.opened()
      forger.send(syncMessage(Y.encodeStateAsUpdate(forged, before)))
      expect(await forger.whenClosed()).toMatchObject({ code: 1008, reason: expect.stringMatching(/belongs to another writer/) })
      expect((await b.core.room('w1/shared')).doc.getMap('meta').get('by')).toBe('alice')
    }
    await forge(alice.doc.clientID)
    // An id claimed in the store by someone else after B loaded the room (as an instance that
    // still thought it owned the room would): B's room has not seen it, the store refuses it.
    expect(await b.versions.owners.claim('w1/shared', 'carol', [777], Date.now())).toBeNull()
    await forge(777)
    const owners = await b.versions.owners.owners('w1/shared')
    expect([owners.get(alice.doc.clientID), owners.get(777)]).toEqual(['alice', 'carol'])
  })
})

describe('one instance on PostgreSQL: a conflict is stored before the update that found it is acknowledged', () => {
  it('while the conflict log is locked the writer gets no acknowledgement; once it commits, the record is there', async () => {
    const database = await freshDatabase('acks')
    const server = await startTestServer({ database })
    servers.push(server)
    const titled = (title: string) => {
      const doc = new Y.Doc()
      doc.getMap('meta').set('title', title)
      return syncMessage(Y.encodeStateAsUpdate(doc))
    }
    const [alice, bob] = ['alice', 'bob'].map((who) => openRaw(server.wsUrl, 'w1/shared', who))
    sockets.push(alice, bob)
    await Promise.all([alice.opened(), bob.opened()])
    alice.send(titled('A'))
    await alice.persisted(1)
    const locker = await openPostgres(database)
    const lock = await locker.pool.connect()
    try {
      await lock.query('BEGIN')
      await lock.query('LOCK TABLE conflicts IN EXCLUSIVE MODE')
      // Bob never saw alice's title: his is a conflicting write, whose record waits for the lock.
      bob.send(titled('B'))
      bob.send(persistedRequest(2))
      await waitFor(
        async () =>
          (await locker.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO conflicts%'")).rows[0].n >
          0,
        'the conflict insert to wait for the lock',
      )
      // A pong comes after anything the server sent before it on this socket.
      await new Promise<void>((resolve) => {
        bob.ws.once('pong', () => resolve())
        bob.ws.ping()
      })
      expect(bob.received.filter((m) => m.kind === 'persisted' && m.requestId === 2)).toEqual([])
      await lock.query('COMMIT')
    } finally {
      lock.release()
    }
    await bob.waitFor('persisted', (m) => m.requestId === 2)
    const { rows } = await locker.query<{ kind: string }>('SELECT kind FROM conflicts')
    expect(rows).toEqual([{ kind: 'map-key-overwrite' }])
    await locker.close()
  })
})
