// [agents] Task workers (`polyphony agent --worker`) as real processes sharing one board:
// three workers, ten tasks with dependencies, each done exactly once and in dependency order;
// a worker killed with SIGKILL mid-task loses its lease, another completes the task, and the
// dead worker's late completion is refused (stale_fence).

import { afterEach, expect, it } from 'vitest'
import { token, type TestServer } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { waitFor } from './helpers/wait.ts'
import { cleanEnv, killAllCli, runCli, type CliRun } from './fixtures/agents-process.ts'
import { HEURISTIC_WORKER } from '../agents/runtime/index.ts'
import type { ClaimLogEntry, Task } from '../shared/coord/index.ts'
import { agentArgs, expandMembers, TeamFileSchema } from '../agents/supervisor/teamFile.ts'
import { fileURLToPath } from 'node:url'
import { tmpdir } from 'node:os'

let api: FakeMessagesApi | undefined
const t = useHarness()
afterEach(() => killAllCli())

/** Ten tasks; t10 waits on everything through t08 and t09. */
const TEN_TASKS: Array<{ id: string; dependsOn: string[] }> = [
  { id: 't01', dependsOn: [] },
  { id: 't02', dependsOn: [] },
  { id: 't03', dependsOn: ['t01'] },
  { id: 't04', dependsOn: ['t01', 't02'] },
  { id: 't05', dependsOn: ['t03'] },
  { id: 't06', dependsOn: ['t04'] },
  { id: 't07', dependsOn: [] },
  { id: 't08', dependsOn: ['t05', 't06'] },
  { id: 't09', dependsOn: ['t07'] },
  { id: 't10', dependsOn: ['t08', 't09'] },
]
const WORKERS = ['agent-a', 'agent-b', 'agent-c']

async function call(s: TestServer, method: string, path: string, who: string, body?: unknown) {
  const res = await fetch(`${s.url}/api/workspaces/w1${path}`, {
    method,
    headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

async function boardWithTenTasks(s: TestServer) {
  for (const t of TEN_TASKS) {
    const r = await call(s, 'POST', '/tasks', 'alice', { id: t.id, title: `Task ${t.id}`, description: `Write the ${t.id} part.`, dependsOn: t.dependsOn })
    expect(r.status).toBe(201)
  }
}

const tasksOn = async (s: TestServer): Promise<Task[]> => (await call(s, 'GET', '/tasks', 'alice')).body.tasks

/** Every task completed exactly once, each claimed only after all its dependencies completed. */
function expectDoneOnceInOrder(log: ClaimLogEntry[]) {
  const completedAt = new Map<string, number>()
  for (const e of log.filter((e) => e.event === 'completed')) {
    expect(completedAt.has(e.taskId), `${e.taskId} completed twice`).toBe(false)
    completedAt.set(e.taskId, e.at)
  }
  expect([...completedAt.keys()].sort()).toEqual(TEN_TASKS.map((t) => t.id))
  for (const won of log.filter((e) => e.event === 'won')) {
    for (const dep of TEN_TASKS.find((t) => t.id === won.taskId)!.dependsOn) {
      expect(won.at, `${won.taskId} claimed before ${dep} was done`).toBeGreaterThanOrEqual(completedAt.get(dep)!)
    }
  }
}

const workerArgs = (s: TestServer, who: string, extra: string[]) => ['agent', '--server', s.url, '--workspace', 'w1', '--token', token(who), '--worker', ...extra]

it('three heuristic workers (no model) share ten tasks: each done once, dependencies first, then they exit', async () => {
  const server = await t.start()
  await boardWithTenTasks(server)
  const runs = WORKERS.map((w) => runCli(workerArgs(server!, w, ['--once']), { env: cleanEnv() }))
  for (const r of runs) expect(await r.exited).toEqual({ code: 0, signal: null })
  const log = await server.coord.store.claimLog('w1')
  expectDoneOnceInOrder(log)
  expect(log.filter((e) => e.event === 'stale_fence')).toEqual([])
  const tasks = await tasksOn(server)
  for (const t of tasks) expect(t.result).toMatchObject({ by: HEURISTIC_WORKER })
  const perWorker = WORKERS.map((w) => tasks.filter((t) => t.owner === w).length)
  console.log(`heuristic workers: tasks per worker ${perWorker.join(' / ')}`)
  expect(perWorker.reduce((a, b) => a + b)).toBe(10)
  // Each result is also a note in the worker's namespace, saying no model did it.
  const ns = await server.core.room(`w1/ns/${tasks[0]!.owner}`)
  expect([...ns.doc.getMap('notes').values()].some((n) => String((n as { text: string }).text).includes(HEURISTIC_WORKER))).toBe(true)
})

it('a worker killed mid-task: its lease expires, another completes the task, its late completion is refused', async () => {
  const server = await t.start()
  await boardWithTenTasks(server)
  api = t.own(await startFakeMessagesApi())
  // The first model call never answers: that worker is mid-task when it is killed.
  api.script(step.hang(), ...Array.from({ length: 20 }, (_, i) => step.text(`result ${i}`)))
  const env = cleanEnv({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: api.url })
  const runs = new Map<string, CliRun>(WORKERS.map((w) => [w, runCli(workerArgs(server!, w, ['--lease-ms', '1000', '--model', 'claude-test']), { env })]))

  await api.waitForRequests(1)
  const prompt = JSON.stringify(api.requests[0]!.body.messages[0])
  const stuck = /\(id (t\d\d)\)/.exec(prompt)![1]!
  const holder = (await call(server, 'GET', `/tasks/${stuck}`, 'alice')).body.task as Task
  expect(holder.status).toBe('claimed')
  const dead = holder.owner!
  const deadToken = holder.fencingToken
  runs.get(dead)!.child.kill('SIGKILL')
  expect(await runs.get(dead)!.exited).toEqual({ code: null, signal: 'SIGKILL' })

  await waitFor(async () => (await tasksOn(server!)).every((t) => t.status === 'done'), 'every task done by the surviving workers', 30_000)
  const log = await server.coord.store.claimLog('w1')
  expectDoneOnceInOrder(log)
  expect(log.find((e) => e.event === 'expired' && e.taskId === stuck)).toMatchObject({ principal: dead, fencingToken: deadToken })
  const finished = (await call(server, 'GET', `/tasks/${stuck}`, 'alice')).body.task as Task
  expect(finished.owner).not.toBe(dead)
  expect(finished.result).toMatchObject({ by: finished.owner, model: 'claude-test', summary: expect.stringMatching(/^result \d+$/) })

  // The dead worker's completion arrives late, with the token it held: refused.
  const late = await call(server, 'POST', `/tasks/${stuck}/complete`, dead, { fencingToken: deadToken, result: 'late' })
  expect(late.status).toBe(409)
  expect(late.body.error.code).toBe('stale_fence')
  // The model saw the task prompt with the worker's task tools, not claim/complete.
  const tools = (api.requests[1]!.body.tools as Array<{ name: string }>).map((t) => t.name)
  expect(tools).toContain('read_task')
  expect(tools).not.toContain('claim_task')
  console.log(`killed ${dead} holding ${stuck} (token ${deadToken}); completed by ${finished.owner}; model calls ${api.requests.length}`)
})

it('polyphony team runs `count` workers, one principal each, and they finish the board', async () => {
  const server = await t.start()
  await boardWithTenTasks(server)
  const env = cleanEnv({ POLYPHONY_URL: server.url, WORKER_1_TOKEN: token('agent-a'), WORKER_2_TOKEN: token('agent-b'), WORKER_3_TOKEN: token('agent-c') })
  const team = runCli(['team', fileURLToPath(new URL('./fixtures/team-workers.json', import.meta.url))], { env, cwd: tmpdir() })
  for (const n of [1, 2, 3]) await team.waitForRecord((r) => r.msg === 'agent status' && r.name === `worker-${n}` && r.state === 'running', `worker-${n} to attach`)
  await waitFor(async () => (await tasksOn(server!)).every((t) => t.status === 'done'), 'the team to finish the board', 30_000)
  expectDoneOnceInOrder(await server.coord.store.claimLog('w1'))
  team.child.kill('SIGINT')
  expect(await team.exited).toEqual({ code: 0, signal: null })
})

it('team.json: count > 1 needs one token per copy; persona, schedule, budget and worker pass through', () => {
  const ok = TeamFileSchema.parse({ workspace: 'w', agents: [{ name: 'w', tokenEnv: 'W_{n}', count: 2, worker: true }] })
  expect(expandMembers(ok).map((a) => [a.name, a.tokenEnv])).toEqual([
    ['w-1', 'W_1'],
    ['w-2', 'W_2'],
  ])
  const persona = { name: 'ada', tokenEnv: 'ADA', instructions: 'ada.md', every: '10m', maxTokensPerHour: 5000, worker: true, leaseMs: 2000 }
  expect(agentArgs(TeamFileSchema.parse({ workspace: 'w', agents: [persona] }), persona, {}).args).toEqual([
    '--workspace',
    'w',
    '--worker',
    '--lease-ms',
    '2000',
    '--instructions',
    'ada.md',
    '--every',
    '10m',
    '--max-tokens-per-hour',
    '5000',
  ])
  const shared = TeamFileSchema.safeParse({ workspace: 'w', agents: [{ name: 'w', token: 'pp_x', count: 2 }] })
  expect(shared.success).toBe(false)
  expect(shared.error!.issues[0]!.message).toMatch(/count > 1 needs one token per copy: use tokenEnv with \{n\}/)
})

it('a model-backed worker reads the task with read_task, writes a note, and completes with its closing text', async () => {
  const server = await t.start()
  await call(server, 'POST', '/tasks', 'alice', { id: 'summary', title: 'Summarise the launch', description: 'One paragraph for the newsletter.' })
  api = t.own(await startFakeMessagesApi())
  api.script(
    step.toolUse({ name: 'read_task', input: { taskId: 'summary' } }),
    step.toolUse({ name: 'write_note', input: { title: 'Launch summary', body: 'The scheduler ships next week.' } }),
    step.text('Wrote the launch summary note.'),
  )
  const env = cleanEnv({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: api.url })
  const run = runCli(workerArgs(server, 'agent-a', ['--once', '--model', 'claude-test']), { env })
  expect(await run.exited).toEqual({ code: 0, signal: null })
  expect(api.requests[0]!.body.messages[0].content).toMatch(/You hold the task "Summarise the launch" \(id summary\)/)
  // read_task answered with the task as the board shows it.
  const toolResult = JSON.stringify(api.requests[1]!.body.messages.at(-1))
  expect(toolResult).toContain('One paragraph for the newsletter.')
  const task = (await call(server, 'GET', '/tasks/summary', 'alice')).body.task as Task
  expect(task).toMatchObject({ status: 'done', owner: 'agent-a', result: { by: 'agent-a', summary: 'Wrote the launch summary note.', writes: 1, turns: 3 } })
  const ns = await server.core.room('w1/ns/agent-a')
  expect([...ns.doc.getMap('notes').values()].map((n) => (n as { text: string }).text)).toContain('Launch summary\n\nThe scheduler ships next week.')
  expect(run.records().map((r) => r.msg)).toEqual(expect.arrayContaining(['attached', 'working', 'completed', 'stopping']))
})

it('SIGTERM while a worker waits on the model hands the task back (released, not left to expire) and exits 0', async () => {
  const server = await t.start()
  await call(server, 'POST', '/tasks', 'alice', { id: 'slow', title: 'A slow one' })
  api = t.own(await startFakeMessagesApi())
  api.script(step.hang())
  const env = cleanEnv({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: api.url })
  const run = runCli(workerArgs(server, 'agent-a', ['--model', 'claude-test']), { env })
  await api.waitForRequests(1)
  expect(((await call(server, 'GET', '/tasks/slow', 'alice')).body.task as Task).status).toBe('claimed')
  run.child.kill('SIGTERM')
  expect(await run.exited).toEqual({ code: 0, signal: null })
  const task = (await call(server, 'GET', '/tasks/slow', 'alice')).body.task as Task
  expect(task).toMatchObject({ status: 'open', owner: null })
  expect((await server.coord.store.claimLog('w1', { taskId: 'slow' })).map((e) => e.event)).toEqual(['created', 'won', 'released'])
  expect(run.records().map((r) => r.msg)).toContain('handed back')
})
