// [core] Durability: every acknowledged edit survives kill -9 of a real server process;
// idle rooms unload and reload exactly; compaction keeps the document; SIGTERM flushes.

import { afterAll, afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startChildServer, type ChildServer } from './helpers/childServer.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'
import { connectStock, synced, text, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { freshDatabase } from './helpers/postgres.ts'
import { storedDoc } from './fixtures/stored.ts'
import { MESSAGE_PERSISTED, readPersistedReply } from '../shared/wire/index.ts'

const dirs: string[] = []
const children: ChildServer[] = []
const clients: StockClient[] = []
let server: TestServer | null = null

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const child of children.splice(0)) await child.kill('SIGKILL')
  await server?.close()
  server = null
})
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'polyphony-durability-'))
  dirs.push(d)
  return d
}

async function child(dataDir: string, args?: string[]): Promise<ChildServer> {
  const c = await startChildServer({ dataDir, args })
  children.push(c)
  return c
}

function open(wsUrl: string, room: string, who: string, params?: Record<string, string>): StockClient {
  const c = connectStock(wsUrl, room, who, { params })
  clients.push(c)
  return c
}

/** A stock provider that also reads MESSAGE_PERSISTED: `acked()` is how many of its own edits are durable. */
function persistedClient(wsUrl: string, room: string, who: string, onAck?: (acked: number) => void) {
  const c = open(wsUrl, room, who, { persisted: '1' })
  let acked = 0
  c.provider.messageHandlers[MESSAGE_PERSISTED] = (_encoder, decoder) => {
    const sv = Y.decodeStateVector(readPersistedReply(decoder).stateVector)
    // One character per transaction: the clock of this client counts its edits.
    acked = Math.max(acked, sv.get(c.doc.clientID) ?? 0)
    onAck?.(acked)
  }
  return { client: c, acked: () => acked }
}

const charAt = (i: number): string => String.fromCharCode(97 + (i % 26))
const expectedText = (n: number): string => Array.from({ length: n }, (_, i) => charAt(i)).join('')

/** Where a child server keeps documents: its data directory (SQLite) or a fresh Postgres database. */
const BACKENDS = {
  sqlite: async (): Promise<string[]> => [],
  // A fixed instance id: the restarted server is the same instance and takes its rooms back at once.
  postgres: async (): Promise<string[]> => ['--database', await freshDatabase('durable'), '--instance-id', 'durable-1'],
}

describe('kill -9', () => {
  for (const [backend, flags] of Object.entries(BACKENDS)) {
    it(`recovers every acknowledged edit after kill -9 right after 1,000 acknowledgements (${backend})`, async () => {
      const dataDir = tempDir()
      const args = await flags()
      const first = await child(dataDir, args)
      // The flag took: documents went where this run says.
      expect(first.logs.some((l) => l.msg === 'documents on PostgreSQL')).toBe(backend === 'postgres')
      const TARGET = 1000
      let killedAt = -1
      let sent = 0
      const { client, acked } = persistedClient(first.wsUrl, 'team/shared', 'agent-a', (n) => {
        if (n >= TARGET && killedAt < 0) {
          killedAt = n
          first.proc.kill('SIGKILL')
        }
      })
      await synced(client)
      const t = text(client)
      // Keep editing until the server dies: edits are in flight at the moment of the kill.
      while (killedAt < 0 && sent < 20_000) {
        for (let k = 0; k < 25; k++) t.insert(t.length, charAt(sent++))
        await new Promise((r) => setImmediate(r))
      }
      expect((await first.exited).signal).toBe('SIGKILL')
      expect(killedAt).toBeGreaterThanOrEqual(TARGET)
      client.provider.destroy()

      const second = await child(dataDir, args)
      const reader = open(second.wsUrl, 'team/shared', 'bob')
      await synced(reader)
      const recovered = text(reader).toString()
      expect(recovered.length).toBeGreaterThanOrEqual(acked())
      expect(recovered).toBe(expectedText(recovered.length))
      console.log(`kill -9 (${backend}): ${acked()} acknowledged (of ${sent} sent), ${recovered.length} recovered`)
    })
  }
})

describe('kill -9 with readers', () => {
  for (const [backend, flags] of Object.entries(BACKENDS)) {
    it(`two writers each writing on top of the other's edits: every acknowledged edit of both survives kill -9 (${backend})`, async () => {
      const dataDir = tempDir()
      const args = await flags()
      const first = await child(dataDir, args)
      const TARGET = 300
      let killed = false
      const writers: Array<ReturnType<typeof persistedClient>> = []
      // Killed from the acknowledgement handler, while both are still writing.
      const kill = (): void => {
        if (killed || writers.length < 2 || writers.some((w) => w.acked() < TARGET)) return
        killed = true
        first.proc.kill('SIGKILL')
      }
      writers.push(persistedClient(first.wsUrl, 'team/shared', 'agent-a', kill), persistedClient(first.wsUrl, 'team/shared', 'agent-b', kill))
      await Promise.all(writers.map((w) => synced(w.client)))
      let sent = 0
      // Each appends at the end of what it has, which holds the other's edits as they arrive: an
      // edit is often written on top of one acknowledged a moment before, so a store that kept an
      // edit without what it was written on would show here.
      while (!killed && sent < 20_000) {
        for (const w of writers) {
          const t = text(w.client)
          for (let k = 0; k < 5; k++) t.insert(t.length, charAt(sent++))
        }
        await new Promise((r) => setImmediate(r))
      }
      await waitFor(() => killed, 'both writers to have 300 edits acknowledged')
      expect((await first.exited).signal).toBe('SIGKILL')
      const acked = writers.map((w) => ({ id: w.client.doc.clientID, acked: w.acked() }))
      for (const w of writers) w.client.provider.destroy()
      expect(acked.every((a) => a.acked >= TARGET)).toBe(true)

      // Read before any writer could send anything again: only what the server stored.
      const second = await child(dataDir, args)
      const reader = open(second.wsUrl, 'team/shared', 'bob')
      await synced(reader)
      const stored = Y.decodeStateVector(Y.encodeStateVector(reader.doc))
      for (const { id, acked: n } of acked) expect(stored.get(id) ?? 0).toBeGreaterThanOrEqual(n)
      // Everything stored integrates: no edit was kept without one it was written on.
      expect(reader.doc.store.pendingStructs).toBeNull()
      console.log(`kill -9 with two writers (${backend}): acknowledged ${acked.map((a) => a.acked).join(' + ')}, stored ${acked.map((a) => stored.get(a.id) ?? 0).join(' + ')}`)
    })
  }
})

describe('graceful shutdown', () => {
  it('SIGTERM flushes: exit 0, the database closed cleanly, every edit the server read is kept', async () => {
    const dataDir = tempDir()
    const first = await child(dataDir)
    const { client, acked } = persistedClient(first.wsUrl, 'team/shared', 'agent-a')
    await synced(client)
    const t = text(client)
    for (let i = 0; i < 300; i++) t.insert(t.length, charAt(i))
    await waitFor(() => acked() === 300, '300 acknowledged edits')
    for (let i = 300; i < 600; i++) t.insert(t.length, charAt(i))
    const exit = await first.kill('SIGTERM')
    expect(exit.code).toBe(0)
    expect(first.logs.some((l) => l.msg === 'stopped')).toBe(true)
    // better-sqlite3 checkpoints and removes the WAL on a clean close; kill -9 leaves it behind.
    expect(existsSync(join(dataDir, 'polyphony.db-wal'))).toBe(false)
    client.provider.destroy()

    const second = await child(dataDir)
    const reader = open(second.wsUrl, 'team/shared', 'bob')
    await synced(reader)
    const recovered = text(reader).toString()
    expect(recovered.length).toBeGreaterThanOrEqual(300)
    expect(recovered).toBe(expectedText(recovered.length))
  })
})

describe('room lifecycle', () => {
  it('an idle room unloads and reloads exactly', async () => {
    server = await startTestServer({ limits: { idleRoomMs: 20 } })
    const a = open(server.wsUrl, 'w1/shared', 'alice')
    await synced(a)
    text(a).insert(0, 'idle text')
    a.doc.getMap('docs').set('k', { nested: [1, 2] })
    text(a).delete(0, 2)
    const before = await server.core.room('w1/shared')
    await waitFor(() => Y.encodeStateVector(before.doc).toString() === Y.encodeStateVector(a.doc).toString(), 'server to apply')
    const beforeUpdate = Y.encodeStateAsUpdate(before.doc)
    a.destroy()
    await waitFor(async () => (await server!.metrics.rooms.get()).values[0]?.value === 0, 'the idle room to unload')
    const after = await server.core.room('w1/shared')
    expect(after).not.toBe(before)
    expect(Y.encodeStateAsUpdate(after.doc)).toEqual(beforeUpdate)
    expect(after.doc.getText('main').toString()).toBe('le text')
    expect(after.doc.getMap('docs').toJSON()).toEqual({ k: { nested: [1, 2] } })
  })

  it('compaction folds the log into a snapshot and a reload equals the clients', async () => {
    server = await startTestServer()
    const a = open(server.wsUrl, 'team/shared', 'agent-a')
    await synced(a)
    const t = text(a)
    for (let i = 0; i < 700; i++) {
      if (i % 7 === 3) t.delete(0, 1)
      else t.insert(i % 5 === 0 ? 0 : t.length, charAt(i))
      if (i % 50 === 0) a.doc.getMap('meta').set(`k${i % 3}`, i)
    }
    await waitFor(async () => (await server!.metrics.compactions.get()).values[0]?.value >= 1, 'a compaction')
    const room = await server.core.room('team/shared')
    await waitFor(() => t.toString() === room.doc.getText('main').toString(), 'the server to apply everything')
    await room.drain()
    await room.compactIfNeeded(true)
    const stored = await storedDoc(server.db, 'team/shared')
    expect(stored.getText('main').toString()).toBe(t.toString())
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(a.doc))

    a.destroy()
    clients.splice(0)
    server = await server.restart()
    const b = open(server.wsUrl, 'team/shared', 'bob')
    await synced(b)
    expect(text(b).toString()).toBe(t.toString())
    expect(b.doc.getMap('meta').toJSON()).toEqual(a.doc.getMap('meta').toJSON())
  })
})
