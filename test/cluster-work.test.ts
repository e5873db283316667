// Several servers on one PostgreSQL, the work on top of documents: three instances in process
// share the registry, the task store and the conflict log. Claims spread over all three are
// linearizable; the task room is written by its owner only; a conflict provoked through two
// instances reaches an event stream on the third.
import { describe, expect, it } from 'vitest'
import { useHarness } from './helpers/harness.ts'
import { apart, synced } from './helpers/clients.ts'
import { freshDatabase } from './helpers/postgres.ts'
import { ADMIN_TOKEN, token, type TestServer } from './helpers/server.ts'
import { httpJson } from './helpers/http.ts'
import { openEvents } from './helpers/sse.ts'
import { waitFor } from './helpers/wait.ts'
import { readTaskFromDoc } from '../shared/coord/index.ts'

const h = useHarness()

async function threeInstances(): Promise<TestServer[]> {
  const database = await freshDatabase('work')
  const out: TestServer[] = []
  for (const id of ['a', 'b', 'c']) out.push(await h.start({ database, instanceId: id, cluster: { leaseMs: 2000 } }))
  return out
}

describe('three instances: tasks and conflicts', () => {
  it('20 claimers spread over three instances: exactly one lease; the task room, written by its owner, shows it on every instance', async () => {
    const servers = await threeInstances()
    const [a, b, c] = servers
    const swarm = Array.from({ length: 20 }, (_, i) => `swarm-${String(i).padStart(2, '0')}`)
    const tokens = new Map<string, string>()
    for (const [i, id] of swarm.entries()) {
      // Principals and memberships made through different instances: one registry.
      const via = servers[i % 3]
      const created = await httpJson<{ token: string }>(`${via.url}/api/principals`, { method: 'POST', token: ADMIN_TOKEN, body: { id, kind: 'agent' } })
      expect(created.status).toBe(201)
      tokens.set(id, created.json.token)
      expect((await httpJson(`${via.url}/api/workspaces/w1/members/${id}`, { method: 'PUT', token: ADMIN_TOKEN, body: { role: 'editor' } })).status).toBe(200)
    }
    // The task room lives at a: its first reader is there.
    const board = h.stock('w1/tasks', 'alice', { server: a })
    await synced(board)
    expect((await httpJson(`${b.url}/api/workspaces/w1/tasks`, { method: 'POST', token: token('alice'), body: { id: 'hot', title: 'Everyone wants this' } })).status).toBe(201)

    const replies = await Promise.all(
      swarm.map((id, i) =>
        httpJson<{ lease?: { owner: string }; error?: { code: string } }>(`${servers[i % 3].url}/api/workspaces/w1/tasks/hot/claim`, {
          method: 'POST',
          token: tokens.get(id)!,
          body: { ttlMs: 60_000 },
        }),
      ),
    )
    const winners = replies.filter((r) => r.status === 200)
    expect(winners).toHaveLength(1)
    expect(replies.filter((r) => r.status === 409)).toHaveLength(19)
    const holder = winners[0].json.lease!.owner

    // Whichever instance took the claim, the owner of w1/tasks reflected it; a reader on c sees it.
    const reader = h.stock('w1/tasks', 'bob', { server: c })
    await synced(reader)
    await waitFor(() => readTaskFromDoc(reader.doc, 'hot')?.owner === holder, 'the claim in the task room read through c')
    expect([b.core.stats().rooms, c.core.stats().rooms]).toEqual([0, 0])
  })

  it('a conflict provoked through a and b is recorded once and streamed to SSE on c', async () => {
    const [a, b, c] = await threeInstances()
    const events = await openEvents(c.url, 'w1', token('rita'))
    h.defer(() => events.close())
    await events.waitForEvent('ready')
    const alice = h.stock('w1/shared', 'alice', { server: a })
    await synced(alice)
    const bob = h.stock('w1/shared', 'bob', { server: b })
    await synced(bob)
    await apart(alice, bob, (x, y) => {
      x.getMap('meta').set('title', 'A')
      y.getMap('meta').set('title', 'B')
    })
    const streamed = JSON.parse((await events.waitForEvent('conflict', 20_000)).data) as { id: string; kind: string; parties: Array<{ principal: string }> }
    expect(streamed.kind).toBe('map-key-overwrite')
    expect(streamed.parties.map((p) => p.principal).sort()).toEqual(['alice', 'bob'])
    const listed = await httpJson<{ conflicts: Array<{ id: string }> }>(`${c.url}/api/workspaces/w1/conflicts`, { token: token('rita') })
    expect(listed.json.conflicts.map((r) => r.id)).toEqual([streamed.id])
  })
})
