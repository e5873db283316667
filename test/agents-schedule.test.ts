// [agents] Schedules and budgets on an injected clock: `--every` fires at each agent's own
// offset in the period (staggered across a team, stable across restarts); a spent token budget
// pauses the agent until the next hour and then lets it go on.

import { afterEach, expect, it } from 'vitest'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'
import { REVIEW_DOC, REVIEW_TEXT } from './fixtures/agents-text.ts'
import { budgetPausedText, nextRunAt, parseDuration, runEvery, scheduleOffset, TokenBudget, waitForBudget } from '../agents/runtime/index.ts'
import { fakeClock } from './helpers/fakeClock.ts'

const MIN = 60_000
const START = Date.UTC(2026, 11, 1, 14, 0, 0)

it('--every fires at a deterministic offset per agent, every period, and staggers a team', async () => {
  const clock = fakeClock(START)
  const every = 10 * MIN
  const fired = new Map<string, number[]>()
  const team = ['agent-a', 'agent-b', 'agent-c', 'worker-1', 'worker-2']
  const schedules = team.map((id) => runEvery(id, every, async (at) => void fired.set(id, [...(fired.get(id) ?? []), at]), clock))
  await clock.advance(30 * MIN)
  for (const s of schedules) s.stop()

  const offsets = team.map((id) => scheduleOffset(id, every))
  console.log(`offsets in a 10 min period (s): ${offsets.map((o) => Math.round(o / 1000)).join(', ')}`)
  expect(new Set(offsets).size).toBe(team.length)
  for (const [i, id] of team.entries()) {
    const times = fired.get(id)!
    expect(times).toHaveLength(3)
    // Each firing at the agent's offset within its period, one period apart.
    for (const t of times) expect((t - offsets[i]!) % every).toBe(0)
    expect(times[1]! - times[0]!).toBe(every)
    expect(times[0]!).toBeGreaterThan(START)
    expect(times[0]!).toBeLessThanOrEqual(START + every)
  }
  // Stopped schedules do not fire again; a restarted agent keeps its offset.
  await clock.advance(30 * MIN)
  expect(fired.get('agent-a')).toHaveLength(3)
  expect(scheduleOffset('agent-a', every)).toBe(offsets[0])
  expect(nextRunAt(START, every, 0)).toBe(START + every)
  expect(parseDuration('10m')).toBe(every)
  expect(parseDuration('30s')).toBe(30_000)
  expect(parseDuration('ten minutes')).toBeNull()
})

it('a run still going when the next is due skips that firing', async () => {
  const clock = fakeClock(START)
  let finish = () => {}
  const starts: number[] = []
  const s = runEvery(
    'agent-a',
    MIN,
    async (at) => {
      starts.push(at)
      await new Promise<void>((r) => (finish = r))
    },
    clock,
  )
  await clock.advance(3 * MIN)
  expect(starts).toHaveLength(1)
  finish()
  await clock.advance(MIN)
  expect(starts).toHaveLength(2)
  s.stop()
})

it('a spent token budget pauses the agent with a visible status and resumes in the next hour', async () => {
  const clock = fakeClock(START + 5 * MIN)
  const budget = new TokenBudget(1000, clock)
  const statuses: Array<[string, string | undefined]> = []
  const agent = { setStatus: (state: string, detail?: string) => void statuses.push([state, detail]) }
  await waitForBudget(budget, agent, clock)
  expect(statuses).toEqual([])
  budget.record(600)
  budget.record(500)
  expect(budget.pausedUntil()).toBe(START + 60 * MIN)

  let resumed = false
  const waiting = waitForBudget(budget, agent, clock).then(() => (resumed = true))
  await clock.advance(54 * MIN)
  expect(resumed).toBe(false)
  expect(statuses).toEqual([['paused', 'paused: token budget spent until 15:00 UTC']])
  await clock.advance(1 * MIN)
  await waiting
  expect(resumed).toBe(true)
  expect(statuses.at(-1)).toEqual(['idle', 'token budget renewed'])
  expect(budget.spent()).toBe(0)
  expect(budgetPausedText(Date.UTC(2026, 11, 1, 14, 5))).toBe('paused: token budget spent until 14:05 UTC')
})

const t = useHarness()
afterEach(() => killAllCli())

it('polyphony agent --every 1s reviews at its own offset each second instead of on changes', async () => {
  const server = await t.start()
  const writer = await t.agent('agent-b')
  writer.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await writer.flushed()
  writer.close()
  const run = runCli(['agent', '--server', server.url, '--workspace', 'w1', '--token', token('agent-a'), '--offline-reviewer', 'clarity', '--every', '1s'], { env: cleanEnv() })
  await run.waitForRecord((r) => r.msg === 'reviewed', 'a review after the second scheduled run', { nth: 2 })
  const records = run.records().filter((r) => r.msg === 'scheduled run' || r.msg === 'reviewed')
  // Nothing is reviewed before the first scheduled run; each run reviews the document once.
  expect(records.slice(0, 4).map((r) => r.msg)).toEqual(['scheduled run', 'reviewed', 'scheduled run', 'reviewed'])
  const runs = records.filter((r) => r.msg === 'scheduled run').map((r) => Date.parse(String(r.at)))
  // Whole periods apart (a run still going when the next is due skips it, on a loaded machine).
  expect(runs[1]! - runs[0]!).toBeGreaterThan(0)
  expect((runs[1]! - runs[0]!) % 1000).toBe(0)
  expect(runs[0]! % 1000).toBe(scheduleOffset('agent-a', 1000))
})

it('polyphony agent --worker --every 1s works the board on each scheduled run', async () => {
  const server = await t.start()
  const post = (id: string) =>
    fetch(`${server!.url}/api/workspaces/w1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('alice')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, title: id }),
    })
  expect((await post('first')).status).toBe(201)
  const run = runCli(['agent', '--server', server.url, '--workspace', 'w1', '--token', token('agent-a'), '--worker', '--every', '1s'], { env: cleanEnv() })
  await run.waitForRecord((r) => r.msg === 'completed' && r.task === 'first', 'the first task')
  expect((await post('second')).status).toBe(201)
  await run.waitForRecord((r) => r.msg === 'completed' && r.task === 'second', 'the second task, on a later run')
  const msgs = run
    .records()
    .map((r) => r.msg)
    .filter((m) => m === 'scheduled run' || m === 'completed')
  // Each task was taken by a scheduled run, and the second only by a later one.
  expect(msgs.indexOf('scheduled run')).toBeLessThan(msgs.indexOf('completed'))
  expect(msgs.lastIndexOf('scheduled run')).toBeGreaterThan(msgs.indexOf('completed'))
})
