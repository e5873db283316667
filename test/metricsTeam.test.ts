// [coord] Team metrics: the pure computation from attribution and claim logs, and the
// GET /api/workspaces/:ws/metrics endpoint fed by real edits, claims and agent reports.

import { describe, expect, it } from 'vitest'
import { computeTeamMetrics } from '../shared/coord/index.ts'
import { SERVER_PRINCIPAL } from '../shared/model.ts'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced, text } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'

describe('computeTeamMetrics', () => {
  const base = { workspace: 'w', since: 0, until: 10_000, bucketMs: 1000, windowMs: 1000 }

  it('counts concurrent writes and writer stretches per document, leaving the server out', () => {
    const m = computeTeamMetrics({
      ...base,
      writes: [
        { room: 'w/shared', principal: 'alice', at: 0, bytes: 10 },
        { room: 'w/shared', principal: SERVER_PRINCIPAL, at: 400, bytes: 99 },
        { room: 'w/shared', principal: 'bob', at: 500, bytes: 20 },
        { room: 'w/shared', principal: 'alice', at: 3000, bytes: 5 },
        { room: 'w/shared', principal: 'alice', at: 3500, bytes: 5 },
        { room: 'w/ns/bob', principal: 'bob', at: 3600, bytes: 7 },
        { room: 'other/shared', principal: 'eve', at: 10, bytes: 1 },
        { room: 'w/shared', principal: 'bob', at: 20_000, bytes: 1 },
      ],
      claims: [],
      exclude: [SERVER_PRINCIPAL],
    })
    expect(m.concurrentWrites.total).toBe(1)
    expect(m.concurrentWrites.byDocument).toEqual([
      { room: 'w/ns/bob', updates: 1, concurrentUpdates: 0, stretches: 1, multiWriterStretches: 0 },
      { room: 'w/shared', updates: 4, concurrentUpdates: 1, stretches: 2, multiWriterStretches: 1 },
    ])
    expect(m.stretches).toEqual({ total: 3, singleWriter: 2, multiWriter: 1, multiWriterShare: 1 / 3 })
    expect(m.perPrincipal.map((p) => [p.principal, p.edits, p.editBytes, p.namespaceWrites])).toEqual([
      ['alice', 3, 20, 0],
      ['bob', 1, 20, 1],
    ])
    expect(m.timeline.filter((b) => b.principal === 'alice').map((b) => [b.start, b.edits])).toEqual([
      [0, 1],
      [3000, 2],
    ])
  })

  it('counts claim outcomes and agent reports per principal and bucket', () => {
    const m = computeTeamMetrics({
      ...base,
      writes: [],
      claims: [
        { event: 'won', principal: 'a', at: 100 },
        { event: 'race', principal: 'b', at: 150 },
        { event: 'race', principal: 'c', at: 160 },
        { event: 'blocked', principal: 'c', at: 1200 },
        { event: 'expired', principal: 'a', at: 2100 },
        { event: 'stale_fence', principal: 'a', at: 2500 },
        { event: 'renewed', principal: 'a', at: 200 },
      ],
      reports: [{ principal: 'a', at: 50, modelCalls: 3, inputTokens: 100, outputTokens: 20, errors: 1, retries: 2 }],
    })
    expect(m.claims).toEqual({ won: 1, race: 2, blocked: 1, expired: 1, staleFence: 1, released: 0, completed: 0 })
    const a = m.perPrincipal.find((p) => p.principal === 'a')!
    expect(a).toMatchObject({ claimsWon: 1, expired: 1, staleFence: 1, modelCalls: 3, tokens: 120, errors: 1, retries: 2 })
    expect(m.timeline.find((b) => b.principal === 'c' && b.start === 1000)).toMatchObject({ blocked: 1, claimRaces: 0 })
  })
})

describe('GET /api/workspaces/:ws/metrics', () => {
  const t = useHarness()
  const call = async (method: string, path: string, who: string, body?: unknown) => {
    const res = await fetch(`${t.server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: await res.json() }
  }

  it('reports edits, concurrent writes, claims and model use as the team acts', async () => {
    const server = await t.start()
    const alice = t.stock('w1/shared', 'alice')
    const bob = t.stock('w1/shared', 'bob')
    await synced(alice, bob)
    text(alice).insert(0, 'alice was here. ')
    text(bob).insert(0, 'bob too. ')
    await waitFor(() => text(alice).length === text(bob).length && text(alice).length > 20, 'edits to converge')

    await call('POST', '/api/workspaces/w1/tasks', 'alice', { id: 't', title: 'T' })
    expect((await call('POST', '/api/workspaces/w1/tasks/t/claim', 'agent-a', { ttlMs: 60_000 })).status).toBe(200)
    expect((await call('POST', '/api/workspaces/w1/tasks/t/claim', 'agent-b', {})).status).toBe(409)
    const report = { model: 'test-model', modelCalls: 3, inputTokens: 300, outputTokens: 40, errors: 1, retries: 2, breaker: 'half-open' }
    expect((await call('POST', '/api/workspaces/w1/agent-reports', 'agent-a', report)).status).toBe(200)

    // Edits reach the attribution log once stored; wait for both writers to be there.
    let m: any = null
    await waitFor(async () => {
      m = (await call('GET', '/api/workspaces/w1/metrics?bucketMs=60000&windowMs=5000', 'vic')).body
      const edits = (p: string) => m.perPrincipal.find((x: { principal: string }) => x.principal === p)?.edits ?? 0
      return edits('alice') > 0 && edits('bob') > 0
    }, 'edits in team metrics')
    expect(m.concurrentWrites.total).toBeGreaterThan(0)
    expect(m.stretches.multiWriter).toBeGreaterThan(0)
    expect(m.claims).toMatchObject({ won: 1, race: 1, blocked: 0 })
    expect(m.perPrincipal.map((p: { principal: string }) => p.principal)).not.toContain(SERVER_PRINCIPAL)
    expect(m.perPrincipal.find((p: { principal: string }) => p.principal === 'agent-a')).toMatchObject({ claimsWon: 1, modelCalls: 3, tokens: 340, errors: 1 })
    expect(m.perPrincipal.find((p: { principal: string }) => p.principal === 'agent-b')).toMatchObject({ claimRaces: 1 })
    expect(m.timeline.length).toBeGreaterThan(0)

    const prom = await (await fetch(`${server.url}/metrics`)).text()
    expect(prom).toContain('polyphony_agent_model_calls_total{principal="agent-a",model="test-model"} 3')
    expect(prom).toContain('polyphony_agent_tokens_total{principal="agent-a",kind="output"} 40')
    expect(prom).toContain('polyphony_agent_breaker_state{principal="agent-a"} 1')

    expect((await call('GET', '/api/workspaces/w1/metrics', 'outsider')).status).toBe(404)
    expect((await call('GET', '/api/workspaces/w1/metrics?bucketMs=5', 'vic')).status).toBe(400)
    expect((await call('POST', '/api/workspaces/w1/agent-reports', 'agent-a', { modelCalls: -1 })).status).toBe(400)
  })
})
