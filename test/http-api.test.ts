// [core] The HTTP API of server/http: status codes, `{ error: { code, message } }` bodies,
// zod validation as readable 400s, admin-only routes, member management closing sockets,
// /healthz and /metrics (Prometheus text).

import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { openRaw } from './helpers/rawSocket.ts'
import { api, type ApiResponse } from './fixtures/api.ts'
import { CLOSE } from '../shared/wire/index.ts'
import { parsePrometheus } from './helpers/prometheus.ts'

const call = (method: string, path: string, bearer?: string | null, body?: unknown) => api(t.server.url, method, path, bearer, body)
const as = (who: string) => token(who)

const t = useHarness()
beforeAll(() => t.start())

function expectError(res: ApiResponse, status: number, code: string, message?: RegExp): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status)
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } })
  expect(res.body.error.message.length).toBeGreaterThan(5)
  if (message) expect(res.body.error.message).toMatch(message)
}

describe('health and metrics', () => {
  it('GET /healthz answers without auth', async () => {
    const res = await call('GET', '/healthz')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ok: true, connections: expect.any(Number) })
  })

  it('GET /metrics is valid Prometheus text exposition with the core metrics', async () => {
    const s = openRaw(t.server.wsUrl, 'w1/shared', 'alice')
    await s.waitFor('sync')
    expect((await call('GET', '/healthz')).status).toBe(200)
    expect((await call('GET', '/api/workspaces/w1', as('alice'))).status).toBe(200)
    expect((await call('GET', '/api/no/such/route', as('alice'))).status).toBe(404)
    const res = await call('GET', '/metrics')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    const samples = parsePrometheus(res.body as string)
    expect(samples.get('polyphony_connections')).toBe(1)
    expect(samples.get('polyphony_rooms_loaded')).toBeGreaterThanOrEqual(1)
    for (const name of [
      'polyphony_updates_in_total',
      'polyphony_persist_seconds_count',
      'polyphony_http_requests_total{method="GET",route="/healthz",status="200"}',
      'polyphony_http_requests_total{method="GET",route="/api/workspaces/:ws",status="200"}',
      'polyphony_http_request_seconds_count{method="GET",route="/api/workspaces/:ws",status="200"}',
    ]) {
      expect(samples.has(name), name).toBe(true)
    }
    // Route templates, never raw paths: no workspace id or unknown path becomes a label value.
    const routes = [...samples.keys()].filter((k) => k.startsWith('polyphony_http_requests_total{')).map((k) => /route="([^"]*)"/.exec(k)?.[1])
    expect(routes).toContain('/api/*') // the API's not-found answer
    expect(routes.filter((r) => r !== undefined && (r.includes('w1') || r.includes('no/such')))).toEqual([])
    s.ws.terminate()
  })
})

describe('authentication', () => {
  it('API routes need a valid bearer token: 401 with a hint', async () => {
    expectError(await call('GET', '/api/me'), 401, 'unauthorized', /Bearer/)
    expectError(await call('GET', '/api/me', 'pp_wrong_token_00000000000000'), 401, 'unauthorized')
  })

  it('GET /api/me returns the principal and its workspaces with roles', async () => {
    const res = await call('GET', '/api/me', as('bob'))
    expect(res.status).toBe(200)
    expect(res.body.principal).toEqual({ id: 'bob', kind: 'human', name: 'bob', admin: false })
    expect(res.body.workspaces.map((w: { id: string; role: string }) => [w.id, w.role]).sort()).toEqual([
      ['blind', 'editor'],
      ['team', 'editor'],
      ['w1', 'editor'],
    ])
  })

  it('unknown API routes are 404 JSON errors, and every response carries a request id', async () => {
    const res = await call('GET', '/api/nope', as('bob'))
    expectError(res, 404, 'not_found')
    expect(res.headers['x-request-id']).toBeTruthy()
  })
})

describe('principals (admin only)', () => {
  it('an admin creates a principal (201, token shown once), lists, and gets 409 on a duplicate', async () => {
    const created = await call('POST', '/api/principals', ADMIN_TOKEN, { id: 'carol', kind: 'human', name: 'Carol' })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({ id: 'carol', token: expect.stringMatching(/.{20,}/) })
    const me = await call('GET', '/api/me', created.body.token)
    expect(me.body.principal.id).toBe('carol')
    const list = await call('GET', '/api/principals', ADMIN_TOKEN)
    expect(list.status).toBe(200)
    expect(list.body.principals.find((p: { id: string }) => p.id === 'carol')).toMatchObject({ kind: 'human', revoked: false })
    expect(JSON.stringify(list.body)).not.toContain(created.body.token)
    expectError(await call('POST', '/api/principals', ADMIN_TOKEN, { id: 'carol', kind: 'human' }), 409, 'conflict')
  })

  it('validation errors are 400 and say which field is wrong', async () => {
    expectError(await call('POST', '/api/principals', ADMIN_TOKEN, { id: 'bad id!', kind: 'robot' }), 400, 'invalid_request', /id: .*\[A-Za-z0-9\]/)
    expectError(await call('POST', '/api/principals', ADMIN_TOKEN, { id: 'ok' }), 400, 'invalid_request', /kind/)
    expectError(await call('POST', '/api/principals', ADMIN_TOKEN, '{not json'), 400, 'invalid_request', /JSON/)
    // A client may not choose its own token over HTTP.
    const res = await call('POST', '/api/principals', ADMIN_TOKEN, { id: 'dave', kind: 'agent', token: 'pp_chosen_token_00000000000000' })
    expect(res.status).toBe(201)
    expect(res.body.token).not.toBe('pp_chosen_token_00000000000000')
  })

  it('non-admins get 403 on every principal route', async () => {
    expectError(await call('GET', '/api/principals', as('alice')), 403, 'forbidden')
    expectError(await call('POST', '/api/principals', as('alice'), { id: 'x', kind: 'human' }), 403, 'forbidden')
    expectError(await call('DELETE', '/api/principals/bob', as('alice')), 403, 'forbidden')
  })

  it('DELETE /api/principals/:id revokes: 404 for unknown ids, sockets closed with 4401, token refused', async () => {
    expectError(await call('DELETE', '/api/principals/nobody', ADMIN_TOKEN), 404, 'not_found')
    const created = await call('POST', '/api/principals', ADMIN_TOKEN, { id: 'erin', kind: 'agent' })
    expect((await call('PUT', '/api/workspaces/team/members/erin', ADMIN_TOKEN, { role: 'editor' })).status).toBe(200)
    const sockets = [
      openRaw(t.server.wsUrl, 'team/shared', 'erin', { tokenValue: created.body.token }),
      openRaw(t.server.wsUrl, 'team/ns/erin', 'erin', { tokenValue: created.body.token }),
    ]
    await Promise.all(sockets.map((s) => s.waitFor('sync')))
    const res = await call('DELETE', '/api/principals/erin', ADMIN_TOKEN)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ id: 'erin', revoked: true, closedSockets: 2, closedStreams: 0 })
    for (const s of sockets) expect((await s.whenClosed()).code).toBe(CLOSE.unauthenticated)
    expectError(await call('GET', '/api/me', created.body.token), 401, 'unauthorized')
  })
})

describe('workspaces', () => {
  it('an admin creates a workspace (201); others 403; invalid 400; duplicate 409', async () => {
    const res = await call('POST', '/api/workspaces', ADMIN_TOKEN, { id: 'ws2', title: 'Second', visibility: 'team' })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ id: 'ws2', title: 'Second', visibility: 'team' })
    expectError(await call('POST', '/api/workspaces', as('alice'), { id: 'ws3' }), 403, 'forbidden')
    expectError(await call('POST', '/api/workspaces', ADMIN_TOKEN, { id: 'ws4', visibility: 'public' }), 400, 'invalid_request', /visibility/)
    expectError(await call('POST', '/api/workspaces', ADMIN_TOKEN, { id: 'ws2' }), 409, 'conflict')
  })

  it('members see the workspace with their role and the members; others get 404; admins see any', async () => {
    const res = await call('GET', '/api/workspaces/w1', as('vic'))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: 'w1', visibility: 'private', role: 'viewer' })
    expect(res.body.members.map((m: { id: string }) => m.id)).toContain('alice')
    expectError(await call('GET', '/api/workspaces/w1', as('outsider')), 404, 'not_found')
    expectError(await call('GET', '/api/workspaces/missing', as('alice')), 404, 'not_found')
    const admin = await call('GET', '/api/workspaces/w1', ADMIN_TOKEN)
    expect(admin.status).toBe(200)
    expect(admin.body.role).toBeNull()
  })

  it('the owner manages members; editors and viewers get 403; bad roles 400; unknown principals 404', async () => {
    const added = await call('PUT', '/api/workspaces/w1/members/outsider', as('alice'), { role: 'viewer' })
    expect(added.status).toBe(200)
    expect(added.body).toEqual({ workspace: 'w1', principal: 'outsider', role: 'viewer' })
    expect((await call('GET', '/api/workspaces/w1', as('outsider'))).body.role).toBe('viewer')
    expectError(await call('PUT', '/api/workspaces/w1/members/outsider', as('bob'), { role: 'owner' }), 403, 'forbidden')
    expectError(await call('DELETE', '/api/workspaces/w1/members/outsider', as('vic')), 403, 'forbidden')
    expectError(await call('PUT', '/api/workspaces/w1/members/outsider', as('alice'), { role: 'god' }), 400, 'invalid_request', /role/)
    expectError(await call('PUT', '/api/workspaces/w1/members/ghost', as('alice'), { role: 'viewer' }), 404, 'not_found')
    expectError(await call('PUT', '/api/workspaces/w1/members/outsider', as('outsider-none'), { role: 'viewer' }), 401, 'unauthorized')
    const removed = await call('DELETE', '/api/workspaces/w1/members/outsider', as('alice'))
    expect(removed.body).toEqual({ workspace: 'w1', principal: 'outsider', removed: true, closedSockets: 0, closedStreams: 0 })
    expectError(await call('DELETE', '/api/workspaces/w1/members/outsider', as('alice')), 404, 'not_found')
  })

  it('removing a member closes its sockets in that workspace only (4403), and it cannot reconnect', async () => {
    expect((await call('PUT', '/api/workspaces/team/members/outsider', as('alice'), { role: 'editor' })).status).toBe(200)
    expect((await call('PUT', '/api/workspaces/w1/members/outsider', as('alice'), { role: 'editor' })).status).toBe(200)
    const inTeam = openRaw(t.server.wsUrl, 'team/shared', 'outsider')
    const inW1 = openRaw(t.server.wsUrl, 'w1/shared', 'outsider')
    await Promise.all([inTeam.waitFor('sync'), inW1.waitFor('sync')])
    const res = await call('DELETE', '/api/workspaces/team/members/outsider', as('alice'))
    expect(res.body.closedSockets).toBe(1)
    expect((await inTeam.whenClosed()).code).toBe(CLOSE.forbidden)
    expect(inW1.closed).toBeNull()
    const again = openRaw(t.server.wsUrl, 'team/shared', 'outsider')
    expect((await again.whenClosed()).code).toBe(CLOSE.forbidden)
    expect(again.received).toEqual([])
    inW1.ws.terminate()
    await call('DELETE', '/api/workspaces/w1/members/outsider', as('alice'))
  })

  it('changing a role closes the member sockets so they reopen under the new rights', async () => {
    const s = openRaw(t.server.wsUrl, 'team/shared', 'vic')
    await s.waitFor('sync')
    expect((await call('PUT', '/api/workspaces/team/members/vic', ADMIN_TOKEN, { role: 'editor' })).status).toBe(200)
    const closed = await s.whenClosed()
    expect(closed).toEqual({ code: CLOSE.forbidden, reason: expect.stringMatching(/role changed/) })
    await call('PUT', '/api/workspaces/team/members/vic', ADMIN_TOKEN, { role: 'viewer' })
  })

  it('only the namespace owner marks its review submitted; body validated', async () => {
    const ok = await call('PUT', '/api/workspaces/blind/namespaces/rita/submitted', as('rita'), { submitted: true })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ workspace: 'blind', principal: 'rita', submitted: true, closedSockets: 0 })
    const members = (await call('GET', '/api/workspaces/blind', as('rita'))).body.members
    expect(members.find((m: { id: string }) => m.id === 'rita').submitted).toBe(true)
    expectError(await call('PUT', '/api/workspaces/blind/namespaces/rita/submitted', as('alice'), { submitted: false }), 403, 'forbidden')
    expectError(await call('PUT', '/api/workspaces/blind/namespaces/rita/submitted', as('rita'), { submitted: 'yes' }), 400, 'invalid_request', /submitted/)
    expectError(await call('PUT', '/api/workspaces/blind/namespaces/outsider/submitted', as('outsider'), { submitted: true }), 404, 'not_found')
  })
})
