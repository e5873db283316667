// [observe] One connected trace across two processes: an LLM agent's model call and tool call
// (this process, in-memory exporter) → the update the tool wrote (its causal message carries
// the traceparent) → the server's ingest, detection and the conflict it found (a child server
// exporting over OTLP/HTTP to a fake collector). No token or document text in any attribute.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { context, propagation, trace } from '@opentelemetry/api'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node'
import { startTracing, type Tracing } from '../shared/telemetry/node.ts'
import { startChildServer, type ChildServer } from './helpers/childServer.ts'
import { startOtlpCollector, type OtlpCollector, type CollectedSpan } from './helpers/otlpCollector.ts'
import { startFakeMessagesApi, step, type FakeMessagesApi } from './helpers/fakeMessagesApi.ts'
import { TcpProxy } from './chaos/TcpProxy.ts'
import { token } from './helpers/server.ts'
import { waitFor } from './helpers/wait.ts'
import { connectAgent, type Agent } from '../agents/index.ts'
import { createLlmAgent, createMemoryWorkspaceTools, type LlmAgent } from '../agents/llm/index.ts'

const SECRET_TEXT = 'The confidential merger closes on Friday.'
const TITLE_A = 'Title written by agent-a zq1'
const TITLE_B = 'Title written by agent-b zq2'

let dataDir: string
let collector: OtlpCollector
let server: ChildServer
let api: FakeMessagesApi
let proxy: TcpProxy
let tracing: Tracing
const exporter = new InMemorySpanExporter()
const opened: Array<{ close(): void }> = []

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'polyphony-tracing-'))
  collector = await startOtlpCollector()
  server = await startChildServer({
    dataDir,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_EXPORTER_OTLP_COMPRESSION: 'none' },
  })
  api = await startFakeMessagesApi()
  proxy = await TcpProxy.start({ target: { port: Number(new URL(server.url).port) } })
  tracing = startTracing({ serviceName: 'polyphony-agent', exporter }) as Tracing
})

afterAll(async () => {
  for (const c of opened) c.close()
  await tracing?.shutdown()
  trace.disable()
  context.disable()
  propagation.disable()
  await proxy?.close()
  await api?.close()
  await server?.kill('SIGTERM')
  await collector?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const hex = (id: string) => id.toLowerCase()

describe('tracing across the agent and the server', () => {
  it('model call → tool call → update → conflict is one trace, parented across the wire', async () => {
    // agent-a reaches the server through a proxy whose server→agent direction we can hold.
    const agentA: Agent = await connectAgent({ url: proxy.url, workspace: 'w1', token: token('agent-a'), role: 'reviewer' })
    const agentB: Agent = await connectAgent({ url: server.url, workspace: 'w1', token: token('agent-b'), role: 'reviewer' })
    opened.push(agentA, agentB)
    await Promise.all([agentA.whenSynced(), agentB.whenSynced()])

    // agent-b's title reaches the server; agent-a does not hear of it (its downlink is held).
    proxy.stall('down')
    agentB.shared.transact(() => agentB.shared.getMap('meta').set('title', TITLE_B))
    await agentB.flushed()

    // agent-a's model asks for a note; the tool (this test's port) retitles the shared document.
    const memory = createMemoryWorkspaceTools({ author: 'agent-a', documents: { 'brief.md': SECRET_TEXT } })
    const tools = {
      ...memory,
      note: async () => {
        agentA.shared.transact(() => agentA.shared.getMap('meta').set('title', TITLE_A))
        return { id: 'retitle', created: true }
      },
    }
    api.script(step.toolUse({ name: 'write_note', input: { title: 'retitle', body: SECRET_TEXT } }), step.text('done'))
    const llm: LlmAgent = createLlmAgent({
      role: 'fact-checker',
      name: 'agent-a',
      model: 'claude-test',
      apiKey: 'test-key',
      baseURL: api.url,
      maxTurns: 3,
      maxTokens: 256,
      timeoutMs: 5_000,
      retry: { maxRetries: 1, initialDelayMs: 2, maxDelayMs: 10 },
      breaker: { threshold: 5, halfOpenAfterMs: 1_000 },
      tools,
    })
    opened.push(llm)
    const result = await llm.reviewDocument('brief.md')
    expect(result.outcome).toBe('completed')
    await waitFor(async () => {
      const res = await fetch(`${server.url}/api/workspaces/w1/conflicts`, { headers: { authorization: `Bearer ${token('alice')}` } })
      const body = (await res.json()) as { conflicts: Array<{ kind: string }> }
      return body.conflicts.some((c) => c.kind === 'map-key-overwrite')
    }, 'the title conflict in the log')
    proxy.resume('down')

    // The agent's side: one trace, review → chat and review → tool.
    const mine = exporter.getFinishedSpans()
    const byName = (name: string): ReadableSpan => {
      const s = mine.find((x) => x.name === name)
      if (!s) throw new Error(`no agent span ${name}: ${mine.map((x) => x.name).join(', ')}`)
      return s
    }
    const review = byName('agent.review')
    const chat = byName('chat claude-test')
    const tool = byName('execute_tool write_note')
    const traceId = review.spanContext().traceId
    for (const s of [chat, tool]) {
      expect(s.spanContext().traceId).toBe(traceId)
      expect(s.parentSpanContext?.spanId).toBe(review.spanContext().spanId)
    }
    expect(chat.attributes['gen_ai.request.model']).toBe('claude-test')
    expect(chat.attributes['gen_ai.usage.output_tokens']).toBeTypeOf('number')

    // The server's side, exported by another process: the update is the tool call's child.
    const inTrace = (): CollectedSpan[] => collector.spans.filter((s) => hex(s.traceId) === traceId)
    await waitFor(() => inTrace().some((s) => s.name === 'polyphony.conflict'), 'the conflict span at the collector')
    const serverSpans = inTrace()
    const one = (name: string): CollectedSpan => {
      const found = serverSpans.filter((s) => s.name === name)
      expect(found, name).toHaveLength(1)
      return found[0]
    }
    const update = one('polyphony.update')
    const detect = one('polyphony.detect')
    const conflict = one('polyphony.conflict')
    expect(update.service).toBe('polyphony-server')
    expect(hex(update.parentSpanId)).toBe(tool.spanContext().spanId)
    expect(hex(detect.parentSpanId)).toBe(hex(update.spanId))
    expect(hex(conflict.parentSpanId)).toBe(hex(detect.spanId))
    expect(conflict.attributes['polyphony.conflict.kind']).toBe('map-key-overwrite')
    expect(conflict.attributes['polyphony.conflict.parties']).toEqual(['agent-a', 'agent-b'])
    expect(update.attributes['polyphony.principal']).toBe('agent-a')

    // Nothing secret in any attribute, on either side.
    const values = [...mine.map((s) => s.attributes), ...collector.spans.map((s) => s.attributes)].flatMap((a) => Object.values(a)).map((v) => JSON.stringify(v))
    for (const secret of [SECRET_TEXT, TITLE_A, TITLE_B, token('agent-a'), token('agent-b'), token('alice'), 'test-key']) {
      expect(
        values.filter((v) => v.includes(secret)),
        secret,
      ).toEqual([])
    }
  })
})
