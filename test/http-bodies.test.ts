// One body parser for every route that reads a JSON body (server/http/validate.ts): a body
// nested too deep or that is not JSON is the same 400 everywhere, whoever the route belongs to,
// and the refused request changes nothing. The route list is checked against the route sources,
// so a new body-reading route must be added here (and so goes through the same parser).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ADMIN_TOKEN, startTestServer, token, type TestServer } from './helpers/server.ts'
import { httpJson } from './helpers/http.ts'

interface ErrorBody {
  error: { code: string; message: string }
}

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

const W = '/api/workspaces/w1'
/** Every route that reads a body: its source file and pattern, and a request a permitted caller would send. */
const BODY_ROUTES: Array<{ file: string; route: string; path: string; who: string }> = [
  { file: 'principals.ts', route: "post('/'", path: '/api/principals', who: 'admin' },
  { file: 'workspaces.ts', route: "post('/'", path: '/api/workspaces', who: 'admin' },
  { file: 'workspaces.ts', route: "put('/:ws/members/:principal'", path: `${W}/members/vic`, who: 'alice' },
  { file: 'workspaces.ts', route: "put('/:ws/namespaces/:principal/submitted'", path: `${W}/namespaces/bob/submitted`, who: 'bob' },
  { file: 'tasks.ts', route: "post('/:ws/tasks'", path: `${W}/tasks`, who: 'bob' },
  { file: 'tasks.ts', route: "post('/:ws/tasks/:id/claim'", path: `${W}/tasks/t1/claim`, who: 'bob' },
  { file: 'tasks.ts', route: "post('/:ws/tasks/:id/renew'", path: `${W}/tasks/t1/renew`, who: 'bob' },
  { file: 'tasks.ts', route: "post('/:ws/tasks/:id/release'", path: `${W}/tasks/t1/release`, who: 'bob' },
  { file: 'tasks.ts', route: "post('/:ws/tasks/:id/complete'", path: `${W}/tasks/t1/complete`, who: 'bob' },
  { file: 'tasks.ts', route: "post('/:ws/agent-reports'", path: `${W}/agent-reports`, who: 'agent-a' },
  { file: 'review.ts', route: "put('/:ws/vocabulary'", path: `${W}/vocabulary`, who: 'alice' },
  { file: 'review.ts', route: "post('/:ws/annotations/:owner/:id/:action{keep|reply|promote}'", path: `${W}/annotations/agent-a/a1/reply`, who: 'rita' },
  { file: 'review.ts', route: "post('/:ws/proposals/:owner/:id/:action{accept|reject}'", path: `${W}/proposals/agent-a/p1/reject`, who: 'rita' },
  { file: 'conflicts.ts', route: "post('/:ws/conflicts/:id/resolve'", path: `${W}/conflicts/c1/resolve`, who: 'alice' },
  { file: 'proposals.ts', route: "post('/:ws/conflicts/:id/proposals'", path: `${W}/conflicts/c1/proposals`, who: 'bob' },
  { file: 'settings.ts', route: "put('/:ws/settings'", path: `${W}/settings`, who: 'alice' },
  { file: 'documents.ts', route: "post('/:ws/docs/:id/edits'", path: `${W}/docs/d1/edits`, who: 'bob' },
  { file: 'documents.ts', route: "put('/:ws/docs/:id'", path: `${W}/docs/d1`, who: 'bob' },
  { file: 'history.ts', route: "post('/:ws/docs/:id/versions'", path: `${W}/docs/d1/versions`, who: 'bob' },
  { file: 'history.ts', route: "post('/:ws/docs/:id/restore'", path: `${W}/docs/d1/restore`, who: 'bob' },
  { file: 'history.ts', route: "post('/:ws/import'", path: `${W}/import`, who: 'alice' },
  { file: 'history.ts', route: "post('/:ws/docs/:id/as-read'", path: `${W}/docs/d1/as-read`, who: 'bob' },
]
/** Routes that take no body at all (a body is ignored). */
const NO_BODY = new Set(["principals.ts post('/:id/token'", "proposals.ts post('/:ws/conflicts/:id/proposals/:by/approve'"])

const methodOf = (route: string) => (route.startsWith('put') ? 'PUT' : 'POST')
const bearer = (who: string) => (who === 'admin' ? ADMIN_TOKEN : token(who))

describe('one body parser for every route', () => {
  it('the list covers every POST and PUT route in server/http/routes', () => {
    const dir = resolve(import.meta.dirname, '../server/http/routes')
    const found = readdirSync(dir).flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/app\.((?:post|put)\('[^']+')/g)].map((m) => `${file} ${m[1]}`))
    expect(found.length).toBeGreaterThan(15)
    expect(found.filter((r) => !NO_BODY.has(r)).sort()).toEqual(BODY_ROUTES.map((r) => `${r.file} ${r.route}`).sort())
  })

  it('a body nested too deep is the same 400 on every route, and nothing changes', async () => {
    const before = await snapshot()
    const deep = '['.repeat(5000) + ']'.repeat(5000)
    for (const r of BODY_ROUTES) {
      const res = await httpJson<ErrorBody>(`${server.url}${r.path}`, { method: methodOf(r.route), token: bearer(r.who), body: `{"x":${deep}}` })
      expect(res.status, `${r.route}: ${JSON.stringify(res.json)}`).toBe(400)
      expect(res.json.error.code).toBe('invalid_request')
      expect(res.json.error.message).toMatch(/deeper than 64 levels of arrays\/objects: flatten it/)
    }
    expect(await snapshot()).toEqual(before)
  })

  it('a body that is not JSON is the same 400 on every route, and nothing changes', async () => {
    const before = await snapshot()
    for (const r of BODY_ROUTES) {
      const res = await httpJson<ErrorBody>(`${server.url}${r.path}`, { method: methodOf(r.route), token: bearer(r.who), body: '{"x": not json' })
      expect(res.status, `${r.route}: ${JSON.stringify(res.json)}`).toBe(400)
      expect(res.json.error).toEqual({ code: 'invalid_request', message: 'body must be JSON (Content-Type: application/json)' })
    }
    expect(await snapshot()).toEqual(before)
  })

  it('a route that takes no parameters accepts no body or {}, and refuses anything else saying so', async () => {
    const post = (body?: unknown) => httpJson<ErrorBody>(`${server.url}${W}/tasks/t-none/claim`, { method: 'POST', token: token('bob'), body })
    // An absent body is `{}`: the claim reaches the store, which does not know the task.
    expect((await post()).json.error.code).toBe('not_found')
    expect((await post({})).json.error.code).toBe('not_found')
    const wrong = await post({ ttlMs: 'soon' })
    expect(wrong.status).toBe(400)
    expect(wrong.json.error.message).toMatch(/^ttlMs: /)
    const keep = (body?: unknown) => httpJson<ErrorBody>(`${server.url}${W}/annotations/agent-a/a-none/keep`, { method: 'POST', token: token('alice'), body })
    expect((await keep()).status).toBe(404)
    expect((await keep({})).status).toBe(404)
    const extra = await keep({ note: 'x' })
    expect(extra.status).toBe(400)
    expect(extra.json.error).toEqual({ code: 'invalid_request', message: 'this action takes no parameters: send {} or no body' })
    const badOwner = await httpJson<ErrorBody>(`${server.url}${W}/annotations/not%20an%20id/a1/keep`, { method: 'POST', token: token('alice') })
    expect(badOwner.status).toBe(400)
    expect(badOwner.json.error.message).toBe('owner: not a principal id')
  })
})

/** What the refused requests could have changed: principals, workspaces, members, tasks, documents, settings, conflicts. */
async function snapshot(): Promise<unknown> {
  const get = async (path: string, who = 'alice') => (await httpJson(`${server.url}${path}`, { token: bearer(who) })).json
  return {
    principals: await get('/api/principals', 'admin'),
    me: await get('/api/me'),
    workspace: await get(W),
    tasks: await get(`${W}/tasks`),
    docs: await get(`${W}/docs`),
    vocabulary: await get(`${W}/vocabulary`),
    settings: await get(`${W}/settings`),
    conflicts: await get(`${W}/conflicts?status=all`),
  }
}
