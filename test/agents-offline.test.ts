// [agents] `polyphony agent --once` with the server unreachable: reviews the local copy,
// says how many changes wait, exits within seconds with code 3; the next online run sends
// them (no duplicates: ids are deterministic). Unrecoverable errors are fatal (exit 4).

import { afterEach, expect, it } from 'vitest'
import { LocalStore } from '../agents/sdk/LocalStore.ts'
import { claimsReviewer } from '../agents/reviewers/index.ts'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { tempStoreDir } from './helpers/agents.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'
import { REVIEW_DOC, REVIEW_TEXT, PARAGRAPH_3, storedAnnotations } from './fixtures/agents-text.ts'

const t = useHarness()
afterEach(() => killAllCli())

const SECOND_DOC = 'faq.md'

it('offline --once reviews the local copy, exits 3 within seconds, and the next online run syncs without duplicates', async () => {
  let server = await t.start()
  const writer = await t.agent('agent-b')
  writer.createDocument(REVIEW_DOC, REVIEW_TEXT)
  writer.createDocument(SECOND_DOC, PARAGRAPH_3)
  await writer.flushed()
  writer.close()
  const store = tempStoreDir()
  const args = (reviewer: string) => [
    'agent',
    '--server',
    server!.url,
    '--workspace',
    'w1',
    '--token',
    token('agent-a'),
    '--store',
    store,
    '--offline-reviewer',
    reviewer,
    '--once',
  ]

  // Online once: the local copy now holds both documents and the agent's identity.
  const first = runCli(args('clarity'), { env: cleanEnv() })
  expect(await first.exited).toEqual({ code: 0, signal: null })
  await server.stop()

  const started = performance.now()
  const offline = runCli(args('claims'), { env: cleanEnv() })
  expect(await offline.exited).toEqual({ code: 3, signal: null })
  const tookMs = performance.now() - started
  console.log(`offline --once exited in ${Math.round(tookMs)} ms`)
  expect(tookMs).toBeLessThan(10_000)
  // Both documents were reviewed: one unsynced review does not hold up the next.
  const reviewed = offline
    .records()
    .filter((r) => r.msg === 'reviewed')
    .map((r) => r.doc)
  expect(reviewed.sort()).toEqual([REVIEW_DOC, SECOND_DOC].sort())
  const waiting = offline.records().find((r) => typeof r.msg === 'string' && r.msg.startsWith('working offline'))
  expect(waiting?.msg).toMatch(/^working offline: \d+ changes waiting to sync$/)
  expect(waiting?.pending).toBeGreaterThan(0)

  server = await server.restart()
  const ns = await server.core.room('w1/ns/agent-a')
  const claimsOnServer = () =>
    storedAnnotations(ns.doc.getMap('annotations')).filter((a) => a.body.label && claimsReviewer.review(REVIEW_TEXT).some((f) => f.label === a.body.label))
  expect(claimsOnServer()).toEqual([])

  const online = runCli(args('claims'), { env: cleanEnv() })
  expect(await online.exited).toEqual({ code: 0, signal: null })
  // The offline findings arrived; reviewing again created nothing new (same ids).
  const again = online.records().filter((r) => r.msg === 'reviewed')
  expect(again.map((r) => (r.result as { created: number }).created)).toEqual([0, 0])
  const expected = claimsReviewer.review(REVIEW_TEXT).length + claimsReviewer.review(PARAGRAPH_3).length
  const all = storedAnnotations(ns.doc.getMap('annotations'))
  expect(new Set(all.map((a) => a.id)).size).toBe(all.length)
  const claims = all.filter((a) => a.body.comment && claimsReviewer.review(REVIEW_TEXT + '\n\n' + PARAGRAPH_3).some((f) => f.comment === a.body.comment))
  expect(claims.length).toBe(expected)
  // The server acknowledged everything: nothing is counted as waiting any more.
  const local = new LocalStore(store)
  expect([local.pending('w1/shared'), local.pending('w1/ns/agent-a')]).toEqual([0, 0])
  local.close()
})

it('without a local copy an unreachable server is retryable (exit 1); a revoked token or an unknown workspace is fatal (exit 4)', async () => {
  const unreachable = runCli(['agent', '--server', 'http://127.0.0.1:9', '--workspace', 'w1', '--token', token('agent-a'), '--offline-reviewer', 'clarity', '--once'], {
    env: cleanEnv(),
  })
  expect(await unreachable.exited).toEqual({ code: 1, signal: null })
  expect(unreachable.stderr.join('\n')).toMatch(/cannot reach/)

  const server = await t.start()
  await server.registry.revokePrincipal('agent-c')
  const revoked = runCli(['agent', '--server', server.url, '--workspace', 'w1', '--token', token('agent-c'), '--offline-reviewer', 'clarity'], { env: cleanEnv() })
  expect(await revoked.exited).toEqual({ code: 4, signal: null })
  expect(revoked.stderr.join('\n')).toMatch(/token was refused.*fatal: not retrying/)

  const noAccess = runCli(['agent', '--server', server.url, '--workspace', 'no-such-workspace', '--token', token('agent-a'), '--offline-reviewer', 'clarity'], { env: cleanEnv() })
  expect(await noAccess.exited).toEqual({ code: 4, signal: null })
  expect(noAccess.stderr.join('\n')).toMatch(/no access to the workspace: agent-a is not a member of workspace no-such-workspace.*fatal: not retrying/)
})

it('--help documents the exit codes', async () => {
  const run = runCli(['agent', '--help'])
  expect(await run.exited).toEqual({ code: 0, signal: null })
  const out = run.stdout.join('\n')
  for (const code of ['0  done', '1  retryable', '2  usage', '3  offline', '4  fatal']) expect(out).toContain(code)
})

it('a token revoked while the agent runs ends it with a fatal message and exit 4 (no retry loop)', async () => {
  let server = await t.start()
  const writer = await t.agent('agent-b')
  writer.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await writer.flushed()
  const run = runCli(['agent', '--server', server.url, '--workspace', 'w1', '--token', token('agent-c'), '--offline-reviewer', 'clarity'], { env: cleanEnv() })
  await run.waitForRecord((r) => r.msg === 'reviewed', 'the first review')
  await server.registry.revokePrincipal('agent-c')
  // The server refuses the next connection: make the agent reconnect.
  server = await server.restart()
  expect(await run.exited).toEqual({ code: 4, signal: null })
  expect(run.stderr.join('\n')).toMatch(/^fatal: access to w1\/(shared|ns\/agent-c) denied: .*not retrying/m)
  expect(run.records().map((r) => r.msg)).toContain('fatal')
})
