// [coord] The typed task client and keepLeaseAlive against a real server.

import { describe, expect, it } from 'vitest'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { until } from './helpers/wait.ts'
import { createTaskClient, keepLeaseAlive, type ClaimLogEntry } from '../shared/coord/index.ts'
import { ApiClient, ApiRequestError } from '../shared/api/index.ts'

const t = useHarness()
const client = (who: string) => createTaskClient(new ApiClient({ baseUrl: t.server.url, token: token(who) }), 'w1')

describe('task client', () => {
  it('keepLeaseAlive holds a short lease over many TTLs; others are refused meanwhile', async () => {
    const server = await t.start()
    const a = client('agent-a')
    const b = client('agent-b')
    await a.create({ id: 't', title: 'T' })
    const renewals: ClaimLogEntry[] = []
    server.coord.on('entry', (e) => e.event === 'renewed' && renewals.push(e))
    const kept = keepLeaseAlive(a, await a.claim('t', 600))
    await until(server.coord, 'entry', () => renewals.length >= 7, 'seven renewals (more than two TTLs)')
    const refused = await b.claim('t').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ApiRequestError)
    expect(refused).toMatchObject({ status: 409, code: 'held', details: { owner: 'agent-a' } })
    expect(await server.coord.store.claimLog('w1', { events: ['expired'] })).toHaveLength(0)
    kept.stop()
    const done = await a.complete('t', kept.current().fencingToken, { ok: true })
    expect(done).toMatchObject({ status: 'done', owner: 'agent-a', fencingToken: 1 })
  })

  it('a kept lease reports loss when its token goes stale', async () => {
    await t.start()
    const a = client('agent-a')
    await a.create({ id: 't', title: 'T' })
    const granted = await a.claim('t', 150)
    const kept = keepLeaseAlive(a, granted)
    await a.release('t', granted.fencingToken)
    const { reason } = await kept.lost
    expect(reason).toMatch(/^stale_fence/)
  })

  it('surfaces blocked claims and reports model use', async () => {
    await t.start()
    const a = client('agent-a')
    await a.create({ id: 'second', title: 'S', dependsOn: ['first'] })
    await expect(a.claim('second')).rejects.toMatchObject({ code: 'blocked', details: { unfinished: ['first'] } })
    await a.report({ model: 'm', modelCalls: 2, inputTokens: 10, outputTokens: 5 })
    const m = await a.teamMetrics({ bucketMs: 60_000 })
    expect(m.claims.blocked).toBe(1)
    expect(m.perPrincipal.find((p) => p.principal === 'agent-a')).toMatchObject({ modelCalls: 2, tokens: 15, blocked: 1 })
    expect((await a.list()).map((t) => t.id)).toEqual(['second'])
  })
})
