// Client-id claims share the turn's write transaction with the appends and the detector's owners
// (server/sqliteGroupCommit.ts): kill -9 while many new clients write in several rooms must never
// leave a stored update whose client id has no recorded owner, and every acknowledged writer's id
// is owned by its principal.

import { afterAll, afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startChildServer, type ChildServer } from './helpers/childServer.ts'
import { connectStock, text, type StockClient } from './helpers/clients.ts'
import { MESSAGE_PERSISTED, readPersistedReply } from '../shared/wire/index.ts'

const dirs: string[] = []
const children: ChildServer[] = []
const clients: StockClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const child of children.splice(0)) await child.kill('SIGKILL')
})
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const ROOMS = ['w1/shared', 'team/shared', 'blind/shared']
const WRITERS = ['alice', 'bob', 'agent-a', 'agent-b', 'agent-c']

describe('client-id claims in the turn’s write transaction', () => {
  it('after kill -9 mid-stream every stored update has an owner for its client ids, and every acknowledged writer owns its id', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'polyphony-claims-'))
    dirs.push(dataDir)
    const server = await startChildServer({ dataDir })
    children.push(server)
    const acked: Array<{ room: string; client: number; principal: string }> = []
    const KILL_AFTER = 20
    let killed = false
    // New clients (new Yjs client ids: each one a claim) keep joining and writing until the kill.
    for (let i = 0; i < 200 && !killed; i++) {
      const room = ROOMS[i % ROOMS.length]
      const principal = WRITERS[i % WRITERS.length]
      const c = connectStock(server.wsUrl, room, principal, { params: { persisted: '1' } })
      clients.push(c)
      c.provider.messageHandlers[MESSAGE_PERSISTED] = (_encoder, decoder) => {
        const sv = Y.decodeStateVector(readPersistedReply(decoder).stateVector)
        if ((sv.get(c.doc.clientID) ?? 0) === 0 || killed) return
        acked.push({ room, client: c.doc.clientID, principal })
        if (acked.length >= KILL_AFTER) {
          killed = true
          server.proc.kill('SIGKILL')
        }
      }
      c.provider.once('sync', () => text(c).insert(0, `${principal} ${i};`))
      await new Promise((r) => setTimeout(r, 2))
    }
    expect((await server.exited).signal).toBe('SIGKILL')
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER)
    for (const c of clients.splice(0)) c.destroy()

    const db = new Database(join(dataDir, 'polyphony.db'), { readonly: true })
    try {
      const owners = new Map(
        (db.prepare('SELECT room, client, principal FROM history_client_ids').all() as Array<{ room: string; client: number; principal: string }>).map((r) => [
          `${r.room} ${r.client}`,
          r.principal,
        ]),
      )
      const stored = db.prepare('SELECT room, principal, clients FROM doc_updates').all() as Array<{ room: string; principal: string; clients: string }>
      expect(stored.length).toBeGreaterThanOrEqual(acked.length)
      for (const u of stored) for (const client of JSON.parse(u.clients) as number[]) expect(owners.has(`${u.room} ${client}`), `owner of ${client} in ${u.room}`).toBe(true)
      for (const a of acked) expect(owners.get(`${a.room} ${a.client}`)).toBe(a.principal)
    } finally {
      db.close()
    }
  })
})
