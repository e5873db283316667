// [agents] The demo: two built-in heuristic reviewers read the same text differently.

import { afterEach, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '../server/server.ts'
import { createLogger } from '../server/logger.ts'
import { demoBootstrap, demoTokens, seedDemoContent } from '../app/demo.ts'
import { startDemoAgents } from '../app/demoAgents.ts'
import { DEMO_TASK, seedDemoActivity } from '../app/demoActivity.ts'
import { HEURISTIC_ARBITER } from '../agents/runtime/index.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'
import type { Divergences } from '../shared/review/index.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { waitFor } from './helpers/wait.ts'
import { parseAnnotation } from '../shared/annotations.ts'
import { HEURISTIC_WORKER } from '../agents/runtime/index.ts'

let server: RunningServer
let stopAgents: (() => Promise<void>) | undefined
let api: FakeMessagesApi | undefined
afterEach(async () => {
  await stopAgents?.()
  stopAgents = undefined
  await api?.close()
  api = undefined
  await server?.close()
})

it('the demo reviewers write different readings of the announcement into their own namespaces', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polyphony-demo-'))
  const tokens = demoTokens(dataDir)
  server = await startServer({ port: 0, dataDir, bootstrap: demoBootstrap(tokens), logger: createLogger('silent') })
  await seedDemoContent(server)
  stopAgents = await startDemoAgents(server, tokens)
  const clarity = await server.core.room('demo/ns/clarity-reviewer')
  const claims = await server.core.room('demo/ns/claims-reviewer')
  await waitFor(() => clarity.doc.getMap('annotations').size > 0 && claims.doc.getMap('annotations').size > 0, 'both reviewers to annotate')
  const labels = (room: typeof clarity) => new Set([...room.doc.getMap('annotations').values()].map((v) => parseAnnotation(v)?.body.label))
  const a = labels(clarity)
  const b = labels(claims)
  expect([...a].some((l) => !b.has(l))).toBe(true)
  expect([...b].some((l) => !a.has(l))).toBe(true)
  for (const v of claims.doc.getMap('annotations').values()) expect(parseAnnotation(v)?.author).toBe('claims-reviewer')
})

it('the demo claims reviewer also works the board: a task a person creates is completed by the heuristic worker', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polyphony-demo-'))
  const tokens = demoTokens(dataDir)
  server = await startServer({ port: 0, dataDir, bootstrap: demoBootstrap(tokens), logger: createLogger('silent') })
  await seedDemoContent(server)
  stopAgents = await startDemoAgents(server, tokens)
  const res = await fetch(`${server.url}/api/workspaces/demo/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'summary', title: 'Summarise the announcement' }),
  })
  expect(res.status).toBe(201)
  await waitFor(async () => (await server.coord.store.get('demo', 'summary'))?.status === 'done', 'the demo worker to complete the task')
  expect(await server.coord.store.get('demo', 'summary')).toMatchObject({ owner: 'claims-reviewer', result: { by: HEURISTIC_WORKER } })
})

it('within a minute of start the demo shows two reviewers disagreeing on a stretch, the worker taking the demo task, and the arbiter proposing a resolution of a real conflict', async () => {
  const started = performance.now()
  const dataDir = mkdtempSync(join(tmpdir(), 'polyphony-demo-'))
  const tokens = demoTokens(dataDir)
  server = await startServer({ port: 0, dataDir, bootstrap: demoBootstrap(tokens), logger: createLogger('silent') })
  await seedDemoContent(server)
  await seedDemoActivity(server, tokens)
  stopAgents = await startDemoAgents(server, tokens)
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${server.url}/api/workspaces/demo${path}`, { headers: { authorization: `Bearer ${tokens.alice}` } })
    expect(res.status).toBe(200)
    return (await res.json()) as T
  }
  // The seeded conflict is a real one, recorded by the detector: Alice and Bob rewrote the same words offline.
  const [conflict] = (await get<{ conflicts: ConflictRecord[] }>('/conflicts?status=all')).conflicts
  expect(conflict).toMatchObject({ kind: 'overlapping-text-edit', arose: 'offline' })
  expect(conflict.parties.map((p) => p.principal)).toEqual(['alice', 'bob'])

  const minute = 60_000
  let proposed: ConflictRecord | undefined
  await waitFor(
    async () =>
      (proposed = (await get<{ conflicts: ConflictRecord[] }>('/conflicts?status=open')).conflicts.find((c) => c.id === conflict.id && c.proposals?.length)) !== undefined,
    'the arbiter to propose',
    minute,
  )
  expect(proposed!.proposals![0]).toMatchObject({ by: 'arbiter', reasoning: expect.stringContaining(HEURISTIC_ARBITER) })

  await waitFor(async () => (await server.coord.store.get('demo', DEMO_TASK.id))?.status === 'done', 'the demo worker to complete the demo task', minute)
  expect(await server.coord.store.get('demo', DEMO_TASK.id)).toMatchObject({ owner: 'claims-reviewer', result: { by: HEURISTIC_WORKER } })

  // The Readings view is not empty: a stretch both reviewers read, with a point only one made.
  const disagree = (d: Divergences) => d.groups.some((g) => g.readings.length >= 2 && g.agreement.differ.length > 0)
  await waitFor(async () => disagree(await get<Divergences>('/divergences?doc=announcement')), 'the two reviewers to disagree on a stretch', minute)
  const took = performance.now() - started
  console.log(`demo: conflict proposed, task done and a disagreement shown ${Math.round(took)} ms after start`)
  expect(took).toBeLessThan(minute)
}, 90_000)

it('with a model key the demo arbiter asks the model, and is named for it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polyphony-demo-'))
  const tokens = demoTokens(dataDir)
  server = await startServer({ port: 0, dataDir, bootstrap: demoBootstrap(tokens, { arbiterModel: true }), logger: createLogger('silent') })
  expect(server.registry.getPrincipal('arbiter')?.name).toBe('Arbiter (model)')
  await seedDemoContent(server)
  await seedDemoActivity(server, tokens)
  const [conflict] = await server.conflicts.list('demo', { status: 'open' })
  api = await startFakeMessagesApi()
  const reasoning = 'Alice names who sees a conflict; Bob names who decides. Both belong.'
  api.script(
    step.toolUse({ name: 'propose_resolution', input: { conflictId: conflict!.id, choice: 'custom', value: 'shown to the people involved', reasoning } }),
    step.text('Proposed.'),
  )
  stopAgents = await startDemoAgents(server, tokens, { apiKey: 'test-key', baseURL: api.url, model: 'claude-test' })
  await waitFor(async () => (await server.conflicts.get('demo', conflict!.id))?.proposals?.length === 1, 'the model arbiter to propose', 30_000)
  expect((await server.conflicts.get('demo', conflict!.id))?.proposals?.[0]).toMatchObject({ by: 'arbiter', choice: 'custom', reasoning })
  expect(api.requests[0]!.body.system).toMatch(/You are the arbiter/)
})

it('the demo banner names the real (absolute) data directory and token file', async () => {
  const { demoBanner } = await import('../app/serve.ts')
  const banner = demoBanner('http://127.0.0.1:8080', demoTokens(mkdtempSync(join(tmpdir(), 'polyphony-banner-'))), 'some/relative/data')
  const absolute = join(process.cwd(), 'some/relative/data')
  expect(banner).toContain(`Data directory: ${absolute}`)
  expect(banner).toContain(`kept in ${join(absolute, 'demo-tokens.json')}`)
  expect(banner).not.toContain('kept in data/')
})
