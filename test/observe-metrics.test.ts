// [observe] Gauges read at scrape time move with the room's real state; the HTTP histogram is
// labelled by route template; agents' model-call latency is a histogram per principal; a
// breaker state that is no longer reported drops out of /metrics (an exited agent is not "open").

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { openRaw, syncMessage } from './helpers/rawSocket.ts'
import { parsePrometheus } from './helpers/prometheus.ts'
import { waitFor } from './helpers/wait.ts'
import { openDatabase } from '../server/db.ts'
import { ServerMetrics } from '../server/metrics.ts'
import { AgentReports, BREAKER_STALE_MS } from '../server/coord/AgentReports.ts'
import { SqliteAgentReportStore } from '../server/coord/SqliteAgentReportStore.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`)
  expect(res.status).toBe(200)
  return parsePrometheus(await res.text())
}

describe('gauges read from the core at scrape time', () => {
  it('count updates held for missing dependencies while they wait, and none once they apply', async () => {
    const doc = new Y.Doc()
    doc.clientID = 4242
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    doc.getText('main').insert(0, 'first ')
    doc.getText('main').insert(6, 'second')
    const raw = openRaw(server.wsUrl, 'w1/shared', 'alice')
    await raw.opened()
    await raw.waitFor('sync')
    const before = await scrape()
    expect(before.get('polyphony_pending_updates')).toBe(0)
    raw.send(syncMessage(updates[1])) // depends on the first, not sent yet
    await waitFor(async () => (await scrape()).get('polyphony_pending_updates') === 1, 'the held update in the gauge')
    expect((await scrape()).get('polyphony_pending_bytes')).toBeGreaterThanOrEqual(updates[1].length)
    raw.send(syncMessage(updates[0]))
    await waitFor(async () => (await scrape()).get('polyphony_pending_updates') === 0, 'the gauge back at zero')
    for (const name of [
      'polyphony_write_queue_updates',
      'polyphony_write_queue_deepest_updates',
      'polyphony_send_buffer_bytes',
      'polyphony_paused_sockets',
      'polyphony_sse_streams',
    ]) {
      expect((await scrape()).has(name), name).toBe(true)
    }
    raw.ws.terminate()
  })

  it('count open event streams', async () => {
    const controller = new AbortController()
    const res = await fetch(`${server.url}/api/workspaces/w1/events`, { headers: { authorization: `Bearer ${token('alice')}` }, signal: controller.signal })
    expect(res.status).toBe(200)
    await waitFor(async () => (await scrape()).get('polyphony_sse_streams') === 1, 'one stream in the gauge')
    controller.abort()
    await waitFor(async () => (await scrape()).get('polyphony_sse_streams') === 0, 'the stream gone from the gauge')
  })
})

describe('agent reports', () => {
  it('model-call latencies become a histogram per principal and model; too many in one report is refused', async () => {
    const post = (body: unknown) =>
      fetch(`${server.url}/api/workspaces/w1/agent-reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token('agent-a')}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    expect((await post({ model: 'm-1', modelCalls: 2, latencyMs: [800, 2500] })).status).toBeLessThan(300)
    const samples = await scrape()
    expect(samples.get('polyphony_agent_model_call_seconds_count{principal="agent-a",model="m-1"}')).toBe(2)
    const bucket = [...samples].find(([k]) => k.startsWith('polyphony_agent_model_call_seconds_bucket{') && k.includes('le="1"') && k.includes('principal="agent-a"'))
    expect(bucket?.[1]).toBe(1) // 0.8 s is under 1 s, 2.5 s is not
    const refused = await post({ model: 'm-1', modelCalls: 501, latencyMs: Array.from({ length: 501 }, () => 10) })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('report more often')
  })

  it('a breaker state not reported again for two minutes leaves /metrics; any report keeps it', async () => {
    let now = 1_000_000
    const metrics = new ServerMetrics()
    const db = openDatabase(':memory:')
    const reports = new AgentReports(new SqliteAgentReportStore(db, () => now), metrics, () => now)
    const breaker = async () => parsePrometheus(await metrics.scrape()).get('polyphony_agent_breaker_state{principal="agent-x"}')
    await reports.record('w', 'agent-x', { breaker: 'open' })
    expect(await breaker()).toBe(2)
    now += BREAKER_STALE_MS - 1
    await reports.record('w', 'agent-x', { modelCalls: 1 }) // alive: the open state still holds
    now += BREAKER_STALE_MS - 1
    expect(await breaker()).toBe(2)
    now += 2 // the agent went quiet (exited, or was killed)
    expect(await breaker()).toBeUndefined()
    await reports.record('w', 'agent-x', { breaker: 'closed' })
    expect(await breaker()).toBe(0)
    db.close()
  })

  it("every server's scrape shows the process's own metrics (collected once per process)", async () => {
    for (const metrics of [new ServerMetrics(), new ServerMetrics()]) {
      const samples = parsePrometheus(await metrics.scrape())
      expect(samples.get('polyphony_process_process_resident_memory_bytes')).toBeGreaterThan(0)
      expect(samples.has('polyphony_process_nodejs_eventloop_lag_p99_seconds')).toBe(true)
    }
  })
})
