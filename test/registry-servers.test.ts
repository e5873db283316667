// [scale] Two servers on one Postgres share the registry: what one instance's API writes, the
// other's sockets and event streams obey at once (server/registry/PostgresRegistry.ts,
// server/registryEffects.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase } from './helpers/postgres.ts'
import { ADMIN_TOKEN, startTestServer, token, type TestServer } from './helpers/server.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { httpJson } from './helpers/http.ts'
import { openEvents } from './helpers/sse.ts'
import { until } from './helpers/wait.ts'
import { CLOSE } from '../shared/wire/index.ts'

let a: TestServer
let b: TestServer
const clients: StockClient[] = []

beforeAll(async () => {
  const database = await freshDatabase('regsrv')
  // Started together, as a deployment would: both apply the same bootstrap and admin token.
  ;[a, b] = await Promise.all([startTestServer({ database, instanceId: 'A' }), startTestServer({ database, instanceId: 'B' })])
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await Promise.all([a?.close(), b?.close()])
})

describe('two servers, one registry on Postgres', () => {
  it('a token created through A works for a stock provider on B at once; revoking it on A closes its socket and event stream on B', async () => {
    const created = await httpJson<{ token: string }>(`${a.url}/api/principals`, { method: 'POST', token: ADMIN_TOKEN, body: { id: 'newcomer', kind: 'agent' } })
    expect(created.status).toBe(201)
    const added = await httpJson(`${a.url}/api/workspaces/team/members/newcomer`, { method: 'PUT', token: ADMIN_TOKEN, body: { role: 'editor' } })
    expect(added.status).toBe(200)

    // No waiting for B to hear of it: B's auth path catches up before refusing.
    const onB = connectStock(b.wsUrl, 'team/shared', 'newcomer', { tokenValue: created.json.token })
    const onA = connectStock(a.wsUrl, 'team/shared', 'alice')
    clients.push(onB, onA)
    await synced(onB)
    expect(onB.closes).toEqual([])
    const stream = await openEvents(b.url, 'team', created.json.token)
    expect(stream.status).toBe(200)
    await stream.waitForEvent('ready')

    const revoked = await httpJson<{ closedSockets: number }>(`${a.url}/api/principals/newcomer`, { method: 'DELETE', token: ADMIN_TOKEN })
    expect(revoked.status).toBe(200)
    // A had no socket of newcomer's; B closes its own.
    expect(revoked.json.closedSockets).toBe(0)
    await until(onB.provider, 'connection-close', () => onB.closes.some((c) => c.code === CLOSE.unauthenticated), 'the socket on B to close')
    expect(onB.closes[0]).toEqual({ code: CLOSE.unauthenticated, reason: 'token revoked' })
    await stream.ended
    // And it stays out: B refuses the provider's reconnects.
    const refused = await httpJson(`${b.url}/api/me`, { token: created.json.token })
    expect(refused.status).toBe(401)
  })

  it('a member removed on B loses its socket on A; a workspace created on A is usable on B at once', async () => {
    const editor = connectStock(a.wsUrl, 'team/shared', 'bob')
    clients.push(editor)
    await synced(editor)
    const removed = await httpJson(`${b.url}/api/workspaces/team/members/bob`, { method: 'DELETE', token: ADMIN_TOKEN })
    expect(removed.status).toBe(200)
    await until(editor.provider, 'connection-close', () => editor.closes.some((c) => c.code === CLOSE.forbidden), 'the socket on A to close')
    expect(editor.closes[0].reason).toBe('removed from workspace')

    const made = await httpJson(`${a.url}/api/workspaces`, { method: 'POST', token: ADMIN_TOKEN, body: { id: 'fresh', visibility: 'team' } })
    expect(made.status).toBe(201)
    expect((await httpJson(`${a.url}/api/workspaces/fresh/members/alice`, { method: 'PUT', token: ADMIN_TOKEN, body: { role: 'owner' } })).status).toBe(200)
    // Straight to B: its HTTP and socket paths catch up before answering 404 or refusing.
    const onB = await httpJson<{ id: string; role: string }>(`${b.url}/api/workspaces/fresh`, { token: token('alice') })
    expect(onB.json).toMatchObject({ id: 'fresh', role: 'owner' })
    const writer = connectStock(b.wsUrl, 'fresh/shared', 'alice')
    clients.push(writer)
    await synced(writer)
    expect(writer.closes).toEqual([])
  })

  it('a visibility change on A closes, on B, the namespace sockets that may no longer read', async () => {
    const reader = connectStock(b.wsUrl, 'team/ns/alice', 'agent-a')
    const own = connectStock(b.wsUrl, 'team/ns/agent-a', 'agent-a')
    clients.push(reader, own)
    await synced(reader, own)
    await a.registry.updateWorkspace('team', { visibility: 'private' })
    await until(reader.provider, 'connection-close', () => reader.closes.some((c) => c.code === CLOSE.forbidden), "agent-a's socket to alice's namespace on B to close")
    expect(reader.closes[0].reason).toBe('workspace team is now private; reconnect')
    expect(own.closes).toEqual([])
  })
})
