// [agents] `polyphony agent` as a user runs it: node bin/polyphony.mjs in its own process,
// against a real test server (and, for the model loop, the fake Messages API).

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { clarityReviewer } from '../agents/reviewers/index.ts'
import { token, type TestServer } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { waitFor } from './helpers/wait.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'
import { REVIEW_DOC, REVIEW_TEXT, storedAnnotations } from './fixtures/agents-text.ts'

let api: FakeMessagesApi | undefined
const t = useHarness()
afterEach(() => killAllCli())

/** A server whose w1 holds the review text, written by agent-b (an editor; it stays attached to edit more). */
async function serverWithText() {
  const server = await t.start()
  const writer = await t.agent('agent-b')
  writer.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await writer.flushed()
  return { server, writer }
}

const agentArgs = (s: TestServer, extra: string[]) => ['agent', '--server', s.url, '--workspace', 'w1', '--token', token('agent-a'), ...extra]
const annotationsOnServer = async (s: TestServer) => storedAnnotations((await s.core.room('w1/ns/agent-a')).doc.getMap('annotations'))

describe('polyphony agent', () => {
  it('--help prints the usage and exits 0', async () => {
    const run = runCli(['agent', '--help'])
    expect(await run.exited).toEqual({ code: 0, signal: null })
    const out = run.stdout.join('\n')
    expect(out).toMatch(/Usage: polyphony agent --workspace W --token T/)
    expect(out).toMatch(/--offline-reviewer K/)
    expect(out).toMatch(/POLYPHONY_TOKEN/)
  })

  it('without a token exits 2 and says what is missing', async () => {
    const run = runCli(['agent', '--workspace', 'w1', '--offline-reviewer', 'clarity'])
    expect(await run.exited).toEqual({ code: 2, signal: null })
    expect(run.stderr.join('\n')).toMatch(/--token is required \(or set POLYPHONY_TOKEN\)/)
    expect(run.stdout.filter(Boolean)).toEqual([])
  })

  it('without a model or an offline reviewer exits 2 and says how to choose one', async () => {
    const run = runCli(['agent', '--workspace', 'w1', '--token', 'x'])
    expect(await run.exited).toEqual({ code: 2, signal: null })
    expect(run.stderr.join('\n')).toMatch(/ANTHROPIC_API_KEY.*--offline-reviewer/)
  })

  it('with a token the server rejects exits 4 (fatal) with a readable message', async () => {
    const server = await t.start()
    const run = runCli(['agent', '--server', server.url, '--workspace', 'w1', '--token', 'pp_not_a_real_token_0123456789', '--offline-reviewer', 'clarity'])
    expect((await run.exited).code).toBe(4)
    expect(run.stderr.join('\n')).toMatch(/cannot attach to http:\/\/127\.0\.0\.1:\d+ workspace w1: the token was refused .*\(fatal: not retrying\)/)
  })

  it('--offline-reviewer clarity --once annotates the workspace and exits 0', async () => {
    const { server } = await serverWithText()
    const run = runCli(agentArgs(server, ['--offline-reviewer', 'clarity', '--once']), { env: cleanEnv() })
    expect(await run.exited).toEqual({ code: 0, signal: null })
    expect(run.records().map((r) => r.msg)).toEqual(['attached', 'reviewed', 'stopping'])
    const expected = clarityReviewer.review(REVIEW_TEXT)
    expect(run.records()[1]).toMatchObject({ doc: REVIEW_DOC, result: { findings: expected.length, created: expected.length } })
    // Durable before exit: the server has every finding, attributed to agent-a.
    const stored = await annotationsOnServer(server)
    expect(stored.map((a) => a.body.label).sort()).toEqual(expected.map((f) => f.label).sort())
    expect(new Set(stored.map((a) => a.author))).toEqual(new Set(['agent-a']))
  })

  it('with ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL it runs the model loop against that endpoint', async () => {
    const { server } = await serverWithText()
    api = t.own(await startFakeMessagesApi())
    api.script(
      step.toolUse({ name: 'annotate', input: { doc: REVIEW_DOC, quote: 'Most experts agree', label: 'unsupported', comment: 'Who?' } }),
      step.text('One unsupported claim.'),
    )
    const env = cleanEnv({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: api.url })
    const run = runCli(agentArgs(server, ['--model', 'claude-test', '--role', 'fact-checker', '--once']), { env })
    expect(await run.exited).toEqual({ code: 0, signal: null })
    const reviewed = run.records().find((r) => r.msg === 'reviewed')
    expect(reviewed).toMatchObject({ doc: REVIEW_DOC, result: { outcome: 'completed', turns: 2 } })
    expect(api.requests).toHaveLength(2)
    expect(api.requests[0]!.body).toMatchObject({ model: 'claude-test' })
    expect(api.requests[0]!.body.system).toMatch(/fact-checker/)
    const stored = await annotationsOnServer(server)
    expect(stored.map((a) => [a.author, a.target.quote.exact, a.body.label])).toEqual([['agent-a', 'Most experts agree', 'unsupported']])
    // The agent reported its model use: it shows in the server's metrics under its principal.
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toMatch(/polyphony_agent_model_calls_total\{[^}]*principal="agent-a"[^}]*\} 2/)
  })

  it('keeps watching, reviews a changed document again, and exits 0 on SIGTERM', async () => {
    const { server, writer } = await serverWithText()
    const run = runCli(agentArgs(server, ['--offline-reviewer', 'claims']), { env: cleanEnv() })
    await run.waitForRecord((r) => r.msg === 'reviewed', 'the first review')
    const before = (await annotationsOnServer(server)).length
    writer.edit(REVIEW_DOC, (t: Y.Text) => t.insert(t.length, '\n\nEveryone knows it is clearly the fastest scheduler.'))
    // The first review saw the original text; only a second one can count the new sentence.
    const second = await run.waitForRecord((r) => r.msg === 'reviewed', 'a second review of the changed text', { nth: 2 })
    expect((second.result as { created: number }).created).toBeGreaterThan(0)
    await waitFor(async () => (await annotationsOnServer(server)).length > before, 'new annotations on the server')
    run.child.kill('SIGTERM')
    // Ctrl-C under a supervisor brings SIGINT as well: the agent stops once, cleanly.
    run.child.kill('SIGINT')
    expect(await run.exited).toEqual({ code: 0, signal: null })
    expect(run.records().filter((r) => r.msg === 'stopping')).toMatchObject([{ signal: expect.stringMatching(/^SIG(TERM|INT)$/) }])
    expect(run.stderr.join('\n')).toBe('')
  })

  it('SIGTERM while the model has not answered cancels the call and exits 0 promptly', async () => {
    const { server } = await serverWithText()
    api = t.own(await startFakeMessagesApi())
    api.script(step.hang())
    const env = cleanEnv({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: api.url })
    const run = runCli(agentArgs(server, ['--model', 'claude-test']), { env })
    await api.waitForRequests(1)
    const signalled = performance.now()
    run.child.kill('SIGTERM')
    expect(await run.exited).toEqual({ code: 0, signal: null })
    // The CLI's per-call timeout is 60 s: only cancelling the call ends this quickly.
    expect(performance.now() - signalled).toBeLessThan(10_000)
    await api.waitForAbort(0)
    expect(api.requests).toHaveLength(1)
    expect(run.records().find((r) => r.msg === 'reviewed')).toMatchObject({ result: { outcome: 'cancelled' } })
  })
})
