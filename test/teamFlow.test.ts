// [agents]+[coord] "Does the team help": throughput, waits and parallel speedup from the claim
// log (shared/coord/taskFlow.ts), checked by hand on a small log, then measured on scripted
// runs of one and of three model-backed workers over the same ten tasks (GET .../metrics).

import { afterEach, expect, it } from 'vitest'
import { computeTaskFlow } from '../shared/coord/index.ts'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'
import type { TeamMetrics } from '../shared/coord/index.ts'

let api: FakeMessagesApi | undefined
const t = useHarness()
afterEach(() => killAllCli())

it('computes throughput, blocked and unclaimed waits and speedup from the claim log', () => {
  const flow = computeTaskFlow(
    [
      { event: 'created', taskId: 'a', at: 0 },
      { event: 'created', taskId: 'b', at: 0 },
      { event: 'created', taskId: 'c', at: 0 },
      { event: 'won', taskId: 'a', at: 100 },
      { event: 'won', taskId: 'b', at: 100 },
      // a's first worker died: its lease expired, the second lease completed it.
      { event: 'expired', taskId: 'a', at: 600 },
      { event: 'won', taskId: 'a', at: 700 },
      { event: 'completed', taskId: 'b', at: 1100 },
      { event: 'completed', taskId: 'a', at: 1700 },
      { event: 'won', taskId: 'c', at: 1900 },
      { event: 'completed', taskId: 'c', at: 2100 },
      { event: 'stale_fence', taskId: 'a', at: 2200 },
    ],
    [
      { id: 'a', dependsOn: [], createdAt: 0 },
      { id: 'b', dependsOn: [], createdAt: 0 },
      { id: 'c', dependsOn: ['a', 'b'], createdAt: 0 },
    ],
  )
  expect(flow).toEqual({
    completed: 3,
    spanMs: 2000,
    throughputPerHour: 3 * 1800,
    workingMs: 1000 + 1000 + 200,
    parallelSpeedup: 2200 / 2000,
    waitedBlockedMs: 1700,
    waitedUnclaimedMs: 100 + 100 + 200,
    meanWaitBlockedMs: 1700 / 3,
    meanWaitUnclaimedMs: 400 / 3,
  })
  expect(computeTaskFlow([], []).parallelSpeedup).toBe(0)
})

const TASKS = [
  { id: 't01', dependsOn: [] },
  { id: 't02', dependsOn: [] },
  { id: 't03', dependsOn: [] },
  { id: 't04', dependsOn: ['t01'] },
  { id: 't05', dependsOn: ['t02'] },
  { id: 't06', dependsOn: ['t03'] },
  { id: 't07', dependsOn: [] },
  { id: 't08', dependsOn: ['t04', 't05'] },
  { id: 't09', dependsOn: ['t06'] },
  { id: 't10', dependsOn: ['t07'] },
]
/** How long the fake model takes per task. */
const THINK_MS = 400

async function teamRun(workspace: string, workers: string[]): Promise<TeamMetrics['tasks']> {
  const s = t.server
  const post = (path: string, body: unknown) =>
    fetch(`${s.url}/api/workspaces/${workspace}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('alice')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  const since = Date.now()
  for (const t of TASKS) expect((await post('/tasks', { id: t.id, title: `Task ${t.id}`, dependsOn: t.dependsOn })).status).toBe(201)
  api!.script(...TASKS.map((t) => ({ ...step.text(`did ${t.id}`), delayMs: THINK_MS })))
  const env = cleanEnv({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: api!.url })
  const runs = workers.map((w) => runCli(['agent', '--server', s.url, '--workspace', workspace, '--token', token(w), '--worker', '--once', '--model', 'claude-test'], { env }))
  for (const r of runs) expect(await r.exited).toEqual({ code: 0, signal: null })
  const res = await fetch(`${s.url}/api/workspaces/${workspace}/metrics?since=${since}&bucketMs=60000`, { headers: { authorization: `Bearer ${token('alice')}` } })
  return ((await res.json()) as TeamMetrics).tasks
}

it('a scripted team run: three workers finish ten tasks faster than one (speedup from the claim log)', async () => {
  await t.start()
  api = t.own(await startFakeMessagesApi())
  const solo = await teamRun('w1', ['agent-a'])
  const team = await teamRun('team', ['agent-a', 'agent-b', 'agent-c'])
  const fmt = (f: TeamMetrics['tasks']) =>
    `${f.completed} tasks in ${(f.spanMs / 1000).toFixed(1)} s, ${Math.round(f.throughputPerHour)}/h, speedup ${f.parallelSpeedup.toFixed(2)}, ` +
    `mean wait blocked ${Math.round(f.meanWaitBlockedMs)} ms, unclaimed ${Math.round(f.meanWaitUnclaimedMs)} ms`
  console.log(`1 worker:  ${fmt(solo)}\n3 workers: ${fmt(team)}`)
  for (const f of [solo, team]) {
    expect(f.completed).toBe(10)
    expect(f.workingMs).toBeGreaterThanOrEqual(10 * THINK_MS)
  }
  // One worker does one task at a time; three overlap.
  expect(solo.parallelSpeedup).toBeLessThanOrEqual(1)
  expect(team.parallelSpeedup).toBeGreaterThan(1.3)
  expect(team.spanMs).toBeLessThan(solo.spanMs)
  expect(team.throughputPerHour).toBeGreaterThan(solo.throughputPerHour)
})
