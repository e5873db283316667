// [shape] The one typed API client (shared/api) against a real server: answers have the shapes
// the server declares, every failure is an ApiRequestError carrying the server's
// `{ error: { code, message, ...details } }`, and a server that is down or silent is `unreachable`.

import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startTestServer, token, type TestServer } from './helpers/server.ts'
import { ApiClient, ApiRequestError } from '../shared/api/index.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const as = (who: string) => new ApiClient({ baseUrl: server.url, token: who === 'admin' ? ADMIN_TOKEN : token(who) })
const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('the call should fail'),
    (e: unknown) => e as ApiRequestError,
  )

describe('ApiClient', () => {
  it('answers with the declared shapes: me, a workspace with its members, the principal list, a task claim', async () => {
    const alice = as('alice')
    const me = await alice.me()
    expect(me.principal).toMatchObject({ id: 'alice', kind: 'human' })
    expect(me.workspaces.find((w) => w.id === 'w1')).toMatchObject({ role: 'owner', visibility: 'private' })
    const w1 = await alice.workspace('w1')
    expect(w1.role).toBe('owner')
    const bob = w1.members.find((m) => m.id === 'bob')
    expect(bob).toMatchObject({ kind: 'human', role: 'editor', submitted: false })
    expect(bob?.color).toMatch(/^#[0-9a-f]{6}$/i)
    const { principals } = await as('admin').principals()
    expect(principals.find((p) => p.id === 'alice')).toMatchObject({ kind: 'human', admin: false, revoked: false })
    await as('bob').createTask('w1', { id: 'api-client', title: 'Typed' })
    const granted = await as('bob').claim('w1', 'api-client', 60_000)
    expect(granted).toMatchObject({ fencingToken: granted.lease.fencingToken, task: { id: 'api-client', status: 'claimed', owner: 'bob' } })
  })

  it('a refusal carries the server code, message and details; kind words it for people', async () => {
    const held = await failureOf(as('agent-a').claim('w1', 'api-client'))
    expect(held).toBeInstanceOf(ApiRequestError)
    expect(held).toMatchObject({ status: 409, code: 'held', kind: 'conflict', details: { owner: 'bob' } })
    expect(held.message).toMatch(/held by bob/)

    const missing = await failureOf(as('alice').workspace('nope'))
    expect(missing).toMatchObject({ status: 404, code: 'not_found', kind: 'not-found' })
    const viewer = await failureOf(as('vic').createTask('w1', { id: 'no', title: 'No' }))
    expect(viewer).toMatchObject({ status: 403, code: 'forbidden', kind: 'forbidden' })
    const revoked = await failureOf(new ApiClient({ baseUrl: server.url, token: 'pp_not_a_token' }).me())
    expect(revoked).toMatchObject({ status: 401, code: 'unauthorized', kind: 'unauthenticated' })
  })

  it('input the shared schema refuses is a 400 naming the field', async () => {
    const bad = await failureOf(as('bob').createTask('w1', { id: 'not an id', title: 'Bad' }))
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request', kind: 'server' })
    expect(bad.message).toMatch(/^id: must match/)
  })

  it('no server, or one that never answers, is unreachable (status 0), bounded by timeoutMs', async () => {
    const down = await failureOf(new ApiClient({ baseUrl: 'http://127.0.0.1:1', token: 'x' }).me())
    expect(down).toMatchObject({ status: 0, code: 'unreachable', kind: 'unreachable' })
    expect(down.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:1: /)

    const silent: Server = createServer(() => {}) // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    try {
      const started = Date.now()
      const hung = await failureOf(new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'x', timeoutMs: 300 }).me())
      expect(hung).toMatchObject({ status: 0, kind: 'unreachable' })
      expect(Date.now() - started).toBeLessThan(10_000)
    } finally {
      silent.close()
    }
  })
})
