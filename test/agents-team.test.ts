// [agents] `polyphony team team.json`: a healthy member runs and annotates; a member with a
// bad token is given up on at once (fatal: restarting cannot help); a member whose server is
// unreachable crashes, is restarted with backoff and given up on after maxCrashes; SIGINT stops
// everyone and the command exits 0; a team whose every member gave up exits 1. The team file is test/fixtures/team-agents.json (no
// server in it: members find the server through POLYPHONY_URL, tokens through tokenEnv).

import { afterEach, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { tmpdir } from 'node:os'
import { clarityReviewer } from '../agents/reviewers/index.ts'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { waitFor } from './helpers/wait.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'
import { REVIEW_DOC, REVIEW_TEXT, storedAnnotations } from './fixtures/agents-text.ts'

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

const t = useHarness()
afterEach(() => killAllCli())

it('runs the healthy member, gives up on the fatal and the crashing ones, and stops everyone on SIGINT', async () => {
  const server = await t.start()
  const writer = await t.agent('agent-b')
  writer.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await writer.flushed()

  const env = cleanEnv({ POLYPHONY_URL: server.url, TEAM_CLARITY_TOKEN: token('agent-a') })
  // Started outside the repository: members must still find their runtime.
  const team = runCli(['team', fixture('team-agents.json')], { env, cwd: tmpdir() })
  const status = (name: string, state: string) => (r: Record<string, unknown>) => r.msg === 'agent status' && r.name === name && r.state === state

  await team.waitForRecord(status('clarity', 'running'), 'clarity to attach')
  const ns = await server.core.room('w1/ns/agent-a')
  const expected = clarityReviewer.review(REVIEW_TEXT).length
  await waitFor(() => ns.doc.getMap('annotations').size === expected, 'clarity member annotations on the server')
  for (const a of storedAnnotations(ns.doc.getMap('annotations'))) expect(a.author).toBe('agent-a')

  const fatal = await team.waitForRecord(status('broken', 'gave-up'), 'the revoked member to be given up on')
  expect(fatal).toMatchObject({ restarts: 0, detail: expect.stringMatching(/^fatal, not restarted; exited with 4: cannot attach .*token was refused/) })
  expect(team.records().filter(status('broken', 'restarting'))).toEqual([])
  const gaveUp = await team.waitForRecord(status('unreachable', 'gave-up'), 'the unreachable member to be given up on')
  expect(gaveUp).toMatchObject({ restarts: 2, detail: expect.stringMatching(/crashed 3 times within 60 s; gave up; last: exited with 1: cannot attach/) })
  const restarts = team.records().filter(status('unreachable', 'restarting'))
  expect(restarts.map((r) => r.restarts)).toEqual([1, 2])
  expect(restarts[0]!.detail).toMatch(/restarting in \d+ ms/)
  // The healthy member was never restarted.
  expect(team.records().filter(status('clarity', 'restarting'))).toEqual([])

  team.child.kill('SIGINT')
  expect(await team.exited).toEqual({ code: 0, signal: null })
  expect(team.records().filter(status('clarity', 'stopped'))).toHaveLength(1)
  // The member process is gone too: its sockets closed.
  const shared = await server.core.room('w1/shared')
  await waitFor(() => ns.connections.size === 0 && shared.connections.size === 1, 'the member to disconnect (only the writer left)')
})

it('exits 1 when every member has given up', async () => {
  const server = await t.start()
  const team = runCli(['team', fixture('team-broken.json')], { env: cleanEnv({ POLYPHONY_URL: server.url }), cwd: tmpdir() })
  expect(await team.exited).toEqual({ code: 1, signal: null })
  expect(team.records().map((r) => [r.msg, r.state])).toEqual([
    ['agent status', 'gave-up'],
    ['every agent gave up', undefined],
  ])
  expect(team.records()[0]!.detail).toMatch(/cannot attach to http:\/\/127\.0\.0\.1:\d+ workspace w1: .*401|cannot attach/)
})
