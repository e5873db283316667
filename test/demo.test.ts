// [agents] The demo: two built-in heuristic reviewers read the same text differently.

import { afterEach, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '../server/server.ts'
import { createLogger } from '../server/logger.ts'
import { demoBootstrap, demoTokens, seedDemoContent } from '../server/demo.ts'
import { startDemoAgents } from '../server/demoAgents.ts'
import { waitFor } from './helpers/wait.ts'
import { parseAnnotation } from '../shared/annotations.ts'
import { HEURISTIC_WORKER } from '../agents/runtime/index.ts'

let server: RunningServer
let stopAgents: (() => Promise<void>) | undefined
afterEach(async () => {
  await stopAgents?.()
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
  const labels = (room: typeof clarity) =>
    new Set([...room.doc.getMap('annotations').values()].map((v) => parseAnnotation(v)?.body.label))
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
  await waitFor(() => server.coord.store.get('demo', 'summary')?.status === 'done', 'the demo worker to complete the task')
  expect(server.coord.store.get('demo', 'summary')).toMatchObject({ owner: 'claims-reviewer', result: { by: HEURISTIC_WORKER } })
})

it('the demo banner names the real (absolute) data directory and token file', async () => {
  const { demoBanner } = await import('../server/main.ts')
  const banner = demoBanner('http://127.0.0.1:8080', demoTokens(mkdtempSync(join(tmpdir(), 'polyphony-banner-'))), 'some/relative/data')
  const absolute = join(process.cwd(), 'some/relative/data')
  expect(banner).toContain(`Data directory: ${absolute}`)
  expect(banner).toContain(`kept in ${join(absolute, 'demo-tokens.json')}`)
  expect(banner).not.toContain('kept in data/')
})
