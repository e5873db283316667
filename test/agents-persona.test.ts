// [agents] Personas, memory and budgets through the CLI, against the fake Messages API:
// `--instructions` joins the system prompt; the memory note (notes key `memory`) written by
// one run is read by the next, so a restarted agent stays itself; a spent token budget shows
// as "paused: token budget spent until HH:MM UTC" in the agent's presence.

import { afterEach, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as Y from 'yjs'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { tempStoreDir } from './helpers/agents.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { waitFor } from './helpers/wait.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'
import { REVIEW_DOC, REVIEW_TEXT } from './fixtures/agents-text.ts'

let api: FakeMessagesApi | undefined
const t = useHarness()
afterEach(() => killAllCli())

async function setup() {
  const server = await t.start()
  const writer = await t.agent('agent-b')
  writer.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await writer.flushed()
  api = t.own(await startFakeMessagesApi())
  const env = cleanEnv({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: api.url })
  const args = (extra: string[]) => ['agent', '--server', server!.url, '--workspace', 'w1', '--token', token('agent-a'), '--model', 'claude-test', ...extra]
  return { server, writer, api, env, args }
}

it('a persona joins the system prompt and the memory note carries over to the next run', async () => {
  const { server, api, env, args } = await setup()
  const persona = join(tempStoreDir(), 'ada.md')
  writeFileSync(persona, 'You are Ada, a terse reviewer. Sign every note as Ada.')

  api.script(step.text('Tight argument; one unsupported claim.'))
  const first = runCli(args(['--instructions', persona, '--once']), { env })
  expect(await first.exited).toEqual({ code: 0, signal: null })
  expect(api.requests[0]!.body.system).toMatch(/You are Ada, a terse reviewer/)
  expect(api.requests[0]!.body.system).not.toMatch(/memory from earlier runs/)
  const ns = await server.core.room('w1/ns/agent-a')
  const memory = () => String((ns.doc.getMap('notes').get('memory') as { text?: string } | undefined)?.text ?? '')
  expect(memory()).toMatch(new RegExp(`Z reviewed ${REVIEW_DOC.replace('.', '\\.')}: completed$`))

  // A new process (no local store): it reads who it is and what it did from its namespace.
  api.script(step.text('Still one unsupported claim.'))
  const second = runCli(args(['--instructions', persona, '--once']), { env })
  expect(await second.exited).toEqual({ code: 0, signal: null })
  const system = api.requests[1]!.body.system as string
  expect(system).toMatch(/You are Ada/)
  expect(system).toMatch(new RegExp(`Your memory from earlier runs \\(newest last\\):\\n.*reviewed ${REVIEW_DOC.replace('.', '\\.')}: completed`))
  expect(memory().split('\n')).toHaveLength(2)

  const missing = runCli(args(['--instructions', join(tempStoreDir(), 'nope.md'), '--once']), { env })
  expect(await missing.exited).toEqual({ code: 2, signal: null })
  expect(missing.stderr.join('\n')).toMatch(/cannot read --instructions/)
})

it('a spent token budget pauses the agent, visible in its presence, and no model call is made', async () => {
  const { writer, api, env, args } = await setup()
  api.script({ ...step.text('Reviewed.'), usage: { input_tokens: 900, output_tokens: 200 } }, step.text('should not be asked'))
  const run = runCli(args(['--max-tokens-per-hour', '1000']), { env })
  await run.waitForRecord((r) => r.msg === 'reviewed', 'the first review')
  const spentBy = Date.now()
  const reader = t.stock('w1/shared', 'alice')
  // The edit asks for another review; the budget (1100 of 1000 spent) holds it back.
  writer.edit(REVIEW_DOC, (t: Y.Text) => t.insert(t.length, '\n\nOne more sentence.'))
  let seen = ''
  await waitFor(() => {
    for (const state of reader.provider.awareness.getStates().values()) {
      const s = state as { user?: { principal?: string }; status?: { state?: string; detail?: string } }
      if (s.user?.principal === 'agent-a' && s.status?.state === 'paused') seen = s.status.detail ?? ''
    }
    return seen !== ''
  }, 'the paused status in presence')
  // The next clock hour after the spend (checked at both ends, in case the hour turned meanwhile).
  const nextHour = (t: number) => `paused: token budget spent until ${new Date(Math.floor(t / 3_600_000 + 1) * 3_600_000).toISOString().slice(11, 16)} UTC`
  expect([nextHour(spentBy), nextHour(Date.now())]).toContain(seen)
  expect(api.requests).toHaveLength(1)
  console.log(`presence shows: ${seen}`)
})
