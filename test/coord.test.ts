// [coord] Task claims over real HTTP against a real server: one winner among 20 concurrent
// claimers, a killed holder's lease expiring, blocked claims, renew/release, restart mid-lease,
// and the task room (seen by a stock y-websocket client) following every change.

import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import * as http from 'node:http'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { ADMIN_TOKEN, token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { readTaskFromDoc, type ClaimRace } from '../shared/coord/index.ts'
import { parsePrometheus } from './helpers/prometheus.ts'

const t = useHarness()

type Reply = { status: number; body: any }
/**
 * Real HTTP without keep-alive: a restarted server may get the same port, and a pooled socket
 * of the old one would fail the first request after the restart.
 */
function call(method: string, path: string, bearer: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = http.request(`${t.server.url}${path}`, { method, agent: false, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end(payload)
  })
}
const as = (who: string) => ({
  post: (path: string, body?: unknown) => call('POST', `/api/workspaces/w1${path}`, token(who), body ?? {}),
  get: (path: string) => call('GET', `/api/workspaces/w1${path}`, token(who)),
})

/** The server's /metrics, parsed strictly. */
async function prom(): Promise<Map<string, number>> {
  const text = await new Promise<string>((resolve, reject) => {
    http
      .get(`${t.server.url}/metrics`, { agent: false }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve(text))
      })
      .on('error', reject)
  })
  return parsePrometheus(text)
}
const claims = (s: Map<string, number>, outcome: string) => s.get(`polyphony_claim_results_total{outcome="${outcome}"}`) ?? 0

function watchBoard(who = 'vic'): StockClient {
  const c = t.stock('w1/tasks', who)
  return c
}

describe('task claims over HTTP', () => {
  it('20 concurrent claimers: exactly one lease, 19 × 409 held, counters and race log agree', async () => {
    const server = await t.start()
    const agents = Array.from({ length: 20 }, (_, i) => `swarm-${String(i).padStart(2, '0')}`)
    const tokens = new Map<string, string>()
    for (const id of agents) {
      const created = await call('POST', '/api/principals', ADMIN_TOKEN, { id, kind: 'agent' })
      expect(created.status).toBe(201)
      tokens.set(id, created.body.token)
      expect((await call('PUT', `/api/workspaces/w1/members/${id}`, ADMIN_TOKEN, { role: 'editor' })).status).toBe(200)
    }
    expect((await as('alice').post('/tasks', { id: 'hot', title: 'Everyone wants this' })).status).toBe(201)
    const watcher = watchBoard()
    await synced(watcher)
    const races: ClaimRace[] = []
    server.coord.on('claimRace', (r) => races.push(r))
    const before = await prom()

    const replies = await Promise.all(agents.map((id) => call('POST', '/api/workspaces/w1/tasks/hot/claim', tokens.get(id)!, { ttlMs: 60_000 })))

    const winners = replies.filter((r) => r.status === 200)
    const losers = replies.filter((r) => r.status === 409)
    expect(winners).toHaveLength(1)
    expect(losers).toHaveLength(19)
    const winner = winners[0].body
    expect(winner).toMatchObject({ fencingToken: 1, lease: { taskId: 'hot', fencingToken: 1 } })
    expect(winner.expiresAt).toBe(winner.lease.expiresAt)
    for (const l of losers) expect(l.body.error).toMatchObject({ code: 'held', owner: winner.lease.owner })

    const after = await prom()
    expect(claims(after, 'won') - claims(before, 'won')).toBe(1)
    expect(claims(after, 'race') - claims(before, 'race')).toBe(19)
    expect(races).toHaveLength(19)
    expect(new Set(races.map((r) => r.holder))).toEqual(new Set([winner.lease.owner]))
    expect(await server.coord.store.claimLog('w1', { events: ['race'] })).toHaveLength(19)
    await waitFor(() => readTaskFromDoc(watcher.doc, 'hot')?.owner === winner.lease.owner, 'doc to show the winner')
    expect(readTaskFromDoc(watcher.doc, 'hot')).toMatchObject({ status: 'claimed', fencingToken: 1, leaseExpiresAt: winner.expiresAt })
  })

  it('a killed holder: its lease expires, another agent claims and completes, the late completion is refused', async () => {
    const server = await t.start()
    await as('alice').post('/tasks', { id: 'job', title: 'Do the job' })
    const watcher = watchBoard()
    await synced(watcher)
    const before = await prom()

    // agent-a runs in its own process, claims with a short TTL and is killed with SIGKILL.
    const script = `
      const r = await fetch(process.env.URL, { method: 'POST', headers: { authorization: 'Bearer ' + process.env.TOKEN, 'content-type': 'application/json' }, body: JSON.stringify({ ttlMs: 500 }) })
      console.log(JSON.stringify({ status: r.status, body: await r.json() }))
      setInterval(() => {}, 1e6)`
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, URL: `${server.url}/api/workspaces/w1/tasks/job/claim`, TOKEN: token('agent-a') },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string]
    const claimed = JSON.parse(line) as Reply
    expect(claimed).toMatchObject({ status: 200, body: { fencingToken: 1, lease: { owner: 'agent-a' } } })
    child.kill('SIGKILL')
    await once(child, 'exit')

    // The expiry timer reflects the lapse into the document without any request touching the task.
    await waitFor(() => readTaskFromDoc(watcher.doc, 'job')?.status === 'open', 'expiry to reach the doc')
    expect(readTaskFromDoc(watcher.doc, 'job')?.history.map((h) => h.event)).toEqual(['created', 'won', 'expired'])

    const b = await as('agent-b').post('/tasks/job/claim', { ttlMs: 5_000 })
    expect(b).toMatchObject({ status: 200, body: { fencingToken: 2, lease: { owner: 'agent-b' } } })
    expect((await as('agent-b').post('/tasks/job/complete', { fencingToken: 2, result: { summary: 'done by b' } })).status).toBe(200)

    const late = await as('agent-a').post('/tasks/job/complete', { fencingToken: 1, result: 'late' })
    expect(late.status).toBe(409)
    expect(late.body.error).toMatchObject({ code: 'stale_fence', current: { status: 'done', owner: 'agent-b' } })
    await waitFor(() => readTaskFromDoc(watcher.doc, 'job')?.status === 'done', 'doc to show done')
    expect(readTaskFromDoc(watcher.doc, 'job')).toMatchObject({ owner: 'agent-b', result: { summary: 'done by b' }, fencingToken: 2 })

    const after = await prom()
    expect(claims(after, 'expired') - claims(before, 'expired')).toBe(1)
    expect(claims(after, 'stale_fence') - claims(before, 'stale_fence')).toBe(1)
    expect(claims(after, 'won') - claims(before, 'won')).toBe(2)
  })

  it('blocked claims name the unfinished dependencies and clear once they are done', async () => {
    await t.start()
    await as('alice').post('/tasks', { id: 'draft', title: 'Draft' })
    await as('alice').post('/tasks', { id: 'edit', title: 'Edit', dependsOn: ['draft'] })
    const before = await prom()
    const blocked = await as('agent-a').post('/tasks/edit/claim')
    expect(blocked).toMatchObject({ status: 409, body: { error: { code: 'blocked', unfinished: ['draft'] } } })
    const d = await as('agent-b').post('/tasks/draft/claim', { ttlMs: 10_000 })
    await as('agent-b').post('/tasks/draft/complete', { fencingToken: d.body.fencingToken, result: 'v1' })
    expect(await as('agent-a').post('/tasks/edit/claim')).toMatchObject({ status: 200, body: { lease: { owner: 'agent-a' } } })
    expect(claims(await prom(), 'blocked') - claims(before, 'blocked')).toBe(1)
  })

  it('renew extends, release returns the task, stale tokens are refused, roles are enforced', async () => {
    await t.start()
    await as('alice').post('/tasks', { id: 't', title: 'T' })
    const watcher = watchBoard()
    await synced(watcher)
    const c = await as('agent-a').post('/tasks/t/claim', { ttlMs: 5_000 })
    const renewed = await as('agent-a').post('/tasks/t/renew', { fencingToken: c.body.fencingToken, ttlMs: 120_000 })
    expect(renewed.status).toBe(200)
    expect(renewed.body.expiresAt).toBeGreaterThan(c.body.expiresAt)
    expect(renewed.body.fencingToken).toBe(c.body.fencingToken)
    await waitFor(() => readTaskFromDoc(watcher.doc, 't')?.leaseExpiresAt === renewed.body.expiresAt, 'renewal in the doc')
    expect((await as('agent-a').post('/tasks/t/renew', { fencingToken: 99 })).body.error.code).toBe('stale_fence')
    expect((await as('agent-b').post('/tasks/t/release', { fencingToken: c.body.fencingToken })).body.error.code).toBe('not_holder')
    expect((await as('agent-a').post('/tasks/t/release', { fencingToken: c.body.fencingToken })).status).toBe(200)
    await waitFor(() => readTaskFromDoc(watcher.doc, 't')?.status === 'open', 'release in the doc')
    expect((await as('agent-a').post('/tasks/t/release', { fencingToken: c.body.fencingToken })).body.error.code).toBe('stale_fence')
    expect((await as('agent-b').post('/tasks/t/claim')).body.fencingToken).toBe(2)

    expect((await as('vic').post('/tasks/t/claim')).status).toBe(403)
    expect((await as('rita').post('/tasks', { id: 'r', title: 'R' })).status).toBe(403)
    expect((await as('outsider').get('/tasks')).status).toBe(404)
    expect((await as('vic').get('/tasks')).body.tasks.map((t: { id: string }) => t.id)).toEqual(['t'])
    expect((await as('agent-a').post('/tasks/nope/claim')).status).toBe(404)
    expect((await as('agent-a').post('/tasks/t/claim', { ttlMs: 'soon' })).status).toBe(400)
  })

  it('a lease survives a server restart and fencing tokens keep increasing', async () => {
    const server = await t.start()
    await as('alice').post('/tasks', { id: 't', title: 'T' })
    const first = await as('agent-a').post('/tasks/t/claim', { ttlMs: 10 })
    await waitFor(async () => (await as('agent-b').post('/tasks/t/claim', { ttlMs: 120_000 })).status === 200, 'agent-b to win after expiry')
    const held = (await as('agent-b').get('/tasks/t')).body.task
    expect(held).toMatchObject({ status: 'claimed', owner: 'agent-b', fencingToken: first.body.fencingToken + 1 })

    await server.restart()
    expect((await as('agent-b').get('/tasks/t')).body.task).toMatchObject({ status: 'claimed', owner: 'agent-b', leaseExpiresAt: held.leaseExpiresAt, fencingToken: 2 })
    expect(await as('agent-c').post('/tasks/t/claim')).toMatchObject({ status: 409, body: { error: { code: 'held', owner: 'agent-b' } } })
    const watcher = watchBoard()
    await synced(watcher)
    await waitFor(() => readTaskFromDoc(watcher.doc, 't')?.owner === 'agent-b', 'doc after restart')
    expect((await as('agent-b').post('/tasks/t/renew', { fencingToken: 2 })).status).toBe(200)
    expect((await as('agent-b').post('/tasks/t/release', { fencingToken: 2 })).status).toBe(200)
    expect((await as('agent-c').post('/tasks/t/claim')).body.fencingToken).toBe(3)
  })
})
