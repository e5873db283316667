// [scale] Two Polyphony servers whose task stores share one Postgres (`database`): a claim
// through server A is refused to a claimer on server B, and server B's coordinator emits the
// 'entry' and 'claimRace' events (SSE, conflict log) and reflects the task into its task room
// for entries written through A.

import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, token, type TestServer } from '../helpers/server.ts'
import { connectStock, synced, type StockClient } from '../helpers/clients.ts'
import { freshDatabase } from '../helpers/postgres.ts'
import { waitFor } from '../helpers/wait.ts'
import { readTaskFromDoc, type ClaimLogEntry, type ClaimRace } from '../../shared/coord/index.ts'

const servers: TestServer[] = []
const clients: StockClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const s of servers.splice(0)) await s.close()
})

const post = async (server: TestServer, who: string, path: string, body: unknown = {}) => {
  const res = await fetch(`${server.url}/api/workspaces/w1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

describe('task coordination across servers on one Postgres', () => {
  it('claims are decided once for both servers; B hears A’s entries and races, and its task room shows A’s claim', async () => {
    const database = await freshDatabase('coordsrv')
    const a = await startTestServer({ database })
    const b = await startTestServer({ database })
    servers.push(a, b)
    const entriesOnB: ClaimLogEntry[] = []
    const racesOnB: ClaimRace[] = []
    b.coord.on('entry', (e) => entriesOnB.push(e))
    b.coord.on('claimRace', (r) => racesOnB.push(r))
    const board = connectStock(b.wsUrl, 'w1/tasks', 'vic')
    clients.push(board)
    await synced(board)

    expect((await post(a, 'alice', '/tasks', { id: 'hot', title: 'Hot' })).status).toBe(201)
    const won = await post(a, 'agent-a', '/tasks/hot/claim', { ttlMs: 60_000 })
    expect(won).toMatchObject({ status: 200, body: { fencingToken: 1 } })
    const refused = await post(b, 'agent-b', '/tasks/hot/claim', { ttlMs: 60_000 })
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'held', owner: 'agent-a' } } })
    await post(a, 'agent-c', '/tasks/hot/claim', { ttlMs: 60_000 })

    await waitFor(() => racesOnB.length === 2, 'server B to hear both races')
    expect(racesOnB.map((r) => [r.loser, r.holder])).toEqual([
      ['agent-b', 'agent-a'],
      ['agent-c', 'agent-a'],
    ])
    // Per-writer order: B's own race may come before A's earlier entries are re-read.
    expect([...entriesOnB].sort((x, y) => x.seq - y.seq).map((e) => e.event)).toEqual(['created', 'won', 'race', 'race'])
    await waitFor(() => readTaskFromDoc(board.doc, 'hot')?.owner === 'agent-a', 'B’s task room to show A’s claim')
    expect(readTaskFromDoc(board.doc, 'hot')).toMatchObject({ status: 'claimed', fencingToken: 1 })
  })
})
