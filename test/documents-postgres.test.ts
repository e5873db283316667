// A server on `database:` (--database): documents in PostgreSQL end to end with stock clients,
// rooms released when they unload, and a room another instance took over dropped cleanly (its
// sockets sent to reconnect, the fenced edit neither stored nor acknowledged).

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestServer, type TestServer } from './helpers/server.ts'
import { connectStock, synced, text, type StockClient } from './helpers/clients.ts'
import { freshDatabase } from './helpers/postgres.ts'
import { waitFor } from './helpers/wait.ts'
import { openPostgres, type PgDatabase } from '../server/pg/PgDatabase.ts'
import { InstanceLease } from '../server/cluster/InstanceLease.ts'
import { PostgresStorage } from '../server/storage/PostgresStorage.ts'
import { OwnedElsewhere } from '../server/storage/ownership.ts'
import { CLOSE, MESSAGE_PERSISTED, readPersistedReply } from '../shared/wire/index.ts'
import { parseServerConfig, SERVER_HELP } from '../server/config.ts'

const servers: TestServer[] = []
const clients: StockClient[] = []
const others: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const s of servers.splice(0)) await s.close()
  for (const close of others.splice(0)) await close()
})

async function server(opts: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const s = await startTestServer(opts)
  servers.push(s)
  return s
}

/** A stock provider asking for durable acknowledgements: `acked()` counts its own acknowledged edits (one per character). */
function persistedClient(wsUrl: string, room: string, who: string) {
  const c = connectStock(wsUrl, room, who, { params: { persisted: '1' } })
  clients.push(c)
  let acked = 0
  c.provider.messageHandlers[MESSAGE_PERSISTED] = (_encoder, decoder) => {
    const sv = Y.decodeStateVector(readPersistedReply(decoder).stateVector)
    acked = Math.max(acked, sv.get(c.doc.clientID) ?? 0)
  }
  return { client: c, acked: () => acked }
}

/** Another instance on the same database, as the storage layer sees it (no server around it). */
async function otherInstance(url: string, instanceId: string): Promise<{ db: PgDatabase; storage: PostgresStorage }> {
  const db = await openPostgres(url, { max: 2 })
  const lease = await InstanceLease.start({ db, instanceId, leaseMs: 60_000, url: 'http://other.test' })
  const storage = await PostgresStorage.open({ db, instanceId })
  others.push(async () => {
    await lease.close()
    await storage.close()
    await db.close()
  })
  return { db, storage }
}

async function counter(s: TestServer, name: string): Promise<number> {
  const metric = (await s.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)
  return Number(metric?.values[0]?.value ?? 0)
}

describe('a server on --database', () => {
  it('stores stock clients’ edits in Postgres: acknowledged, kept across a restart, none in SQLite', async () => {
    const database = await freshDatabase('srv')
    let s = await server({ database, instanceId: 'one' })
    expect(s.postgres?.instanceId).toBe('one')
    const { client, acked } = persistedClient(s.wsUrl, 'team/shared', 'alice')
    await synced(client)
    for (const ch of 'hello postgres') text(client).insert(text(client).length, ch)
    await waitFor(() => acked() === 'hello postgres'.length, 'every edit acknowledged')
    const rows = await s.postgres!.db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM doc_updates WHERE room = 'team/shared'`)
    expect(rows.rows[0].n).toBeGreaterThan(0)
    // Nothing is stored in SQLite: no document table, and no polyphony.db file under --data at all.
    expect(s.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'doc_updates'`).get()).toBeUndefined()
    expect(existsSync(join(s.dataDir, 'polyphony.db'))).toBe(false)
    client.destroy()

    s = await s.restart()
    servers.push(s)
    const reader = connectStock(s.wsUrl, 'team/shared', 'bob')
    clients.push(reader)
    await synced(reader)
    expect(text(reader).toString()).toBe('hello postgres')
  })

  it('releases a room that unloads, so another instance can take it at once', async () => {
    const database = await freshDatabase('srv')
    const s = await server({ database, instanceId: 'one', limits: { idleRoomMs: 20 } })
    const { client, acked } = persistedClient(s.wsUrl, 'team/shared', 'alice')
    await synced(client)
    text(client).insert(0, 'x')
    await waitFor(() => acked() === 1, 'the edit acknowledged')
    const other = await otherInstance(database, 'two')
    await expect(other.storage.load('team/shared')).rejects.toBeInstanceOf(OwnedElsewhere)
    client.destroy()
    await waitFor(async () => (await s.postgres!.db.query(`SELECT 1 FROM doc_rooms WHERE room = 'team/shared' AND owner IS NULL`)).rowCount === 1, 'the room to be released')
    expect(Y.mergeUpdates((await other.storage.load('team/shared')).updates.map((u) => u.data)).byteLength).toBeGreaterThan(0)
  })

  it('drops a room another instance took over: sockets closed with roomMoved, the fenced edit neither stored nor acknowledged', async () => {
    const database = await freshDatabase('srv')
    const s = await server({ database, instanceId: 'one', cluster: { leaseMs: 1000 } })
    const { client, acked } = persistedClient(s.wsUrl, 'team/shared', 'alice')
    await synced(client)
    text(client).insert(0, 'kept')
    await waitFor(() => acked() === 4, 'the first edits acknowledged')
    // This instance stops heartbeating (as a paused process would); another takes the room once the lease lapses.
    await s.postgres!.lease.stop()
    const other = await otherInstance(database, 'two')
    await waitFor(
      () =>
        other.storage.load('team/shared').then(
          () => true,
          (err: unknown) => (err instanceof OwnedElsewhere ? false : Promise.reject(err)),
        ),
      'the other instance to take the room',
    )
    client.provider.shouldConnect = false
    text(client).insert(4, '!lost')
    await waitFor(() => client.closes.some((c) => c.code === CLOSE.roomMoved), 'the socket closed with roomMoved')
    expect(acked()).toBe(4)
    expect(await counter(s, 'polyphony_rooms_lost_total')).toBe(1)
    const stored = new Y.Doc()
    for (const u of (await other.storage.load('team/shared')).updates) Y.applyUpdate(stored, u.data)
    expect(stored.getText('main').toString()).toBe('kept')
    // The dropped room is gone from this instance; loading it again meets the new owner.
    expect(s.core.stats().rooms).toBe(0)
    await expect(s.core.room('team/shared')).rejects.toMatchObject({ owner: 'two', url: 'http://other.test' })
  })

  it('drops every room when a heartbeat finds this instance’s lease lapsed', async () => {
    const database = await freshDatabase('srv')
    const s = await server({ database, instanceId: 'one', cluster: { leaseMs: 300 } })
    const { client, acked } = persistedClient(s.wsUrl, 'team/shared', 'alice')
    await synced(client)
    text(client).insert(0, 'x')
    await waitFor(() => acked() === 1, 'the edit acknowledged')
    client.provider.shouldConnect = false
    // Block the event loop past the lease, as a paused process would be.
    const until = Date.now() + 1000
    while (Date.now() < until) {
      /* paused */
    }
    await waitFor(() => client.closes.some((c) => c.code === CLOSE.roomMoved), 'the socket closed with roomMoved')
    expect(await counter(s, 'polyphony_rooms_lost_total')).toBe(1)
    // Nobody else took it: the next use loads it here again, with what was stored.
    const room = await s.core.room('team/shared')
    expect(room.doc.getText('main').toString()).toBe('x')
  })

  it('refuses a URL that is not postgres:// with a message saying what to use', async () => {
    await expect(startTestServer({ database: 'mysql://localhost/x' })).rejects.toThrow(/postgres:\/\/ or postgresql:\/\//)
  })
})

describe('--database / POLYPHONY_DATABASE_URL', () => {
  it('selects Postgres from the flag or the environment, the flag first; --instance-id likewise', () => {
    expect(parseServerConfig(['--database', 'postgres://u@h/db'], {})).toMatchObject({ ok: true, config: { database: 'postgres://u@h/db' } })
    expect(parseServerConfig([], { POLYPHONY_DATABASE_URL: 'postgresql://h/db', POLYPHONY_INSTANCE_ID: 'web-1' })).toMatchObject({
      ok: true,
      config: { database: 'postgresql://h/db', instanceId: 'web-1' },
    })
    expect(parseServerConfig(['--database', 'postgres://a/x'], { POLYPHONY_DATABASE_URL: 'postgres://b/y' })).toMatchObject({ ok: true, config: { database: 'postgres://a/x' } })
    const none = parseServerConfig([], {})
    expect(none.ok && none.config.database).toBeUndefined()
    expect(SERVER_HELP).toContain('--database URL')
  })

  it('refuses what is not a postgres URL or a plain instance id, saying what to give, without echoing a password', () => {
    const wrong = parseServerConfig(['--database', 'mysql://root:hunter2@h/db'], {})
    expect(wrong).toMatchObject({ ok: false, error: expect.stringMatching(/postgres:\/\/ or postgresql:\/\/.*got a mysql:\/\/ URL/) })
    const garbage = parseServerConfig([], { POLYPHONY_DATABASE_URL: 'user:hunter2@localhost' })
    expect(garbage).toMatchObject({ ok: false })
    expect(!garbage.ok && !garbage.help && garbage.error).not.toContain('hunter2')
    expect(parseServerConfig(['--instance-id', 'has space'], {})).toMatchObject({ ok: false, error: expect.stringContaining('--instance-id') })
  })
})
