// [agents] Reconnect-to-synced after an outage, measured: the server stops (the agent keeps
// writing offline), restarts on the same port, and we time from "the new server listens" to
// `agent.flushed()` resolving (everything written offline durable on the server). Ten
// outages in a row on one agent also check that backoff resets after each recovery.
//
//   npx vitest run test/agents-reconnect.test.ts      (prints p50 / p90 / max)

import { expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { useHarness } from './helpers/harness.ts'
import { tempStoreDir } from './helpers/agents.ts'
import { until } from './helpers/wait.ts'

const RUNS = Number(process.env.AGENTS_RECONNECT_RUNS ?? 10)

const t = useHarness()

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

it(`reconnects and syncs everything written offline after each of ${RUNS} server restarts`, async () => {
  let server = await t.start()
  const storeDir = tempStoreDir()
  t.defer(() => rmSync(storeDir, { recursive: true, force: true }))
  const agent = await t.agent('agent-a', { storeDir })
  agent.createDocument('log', '')
  await agent.flushed()

  const synced: number[] = []
  const outage: number[] = []
  for (let run = 0; run < RUNS; run++) {
    await server.stop()
    await until([agent.sharedSync, agent.namespaceSync], 'state', () => agent.connection === 'offline', 'the agent to notice the outage')
    const down = performance.now()
    // Work done while the server is away: text and namespace writes.
    agent.edit('log', (t) => t.insert(t.length, `run ${run}\n`))
    agent.note(`offline note ${run}`, 'log')
    agent.annotate('log', { quote: `run ${run}\n` }, { label: 'offline', comment: `written during outage ${run}` })
    const flushed = agent.flushed()
    server = await server.restart()
    const up = performance.now()
    await flushed
    const done = performance.now()
    synced.push(done - up)
    outage.push(done - down)
    // Really there: the restarted server holds this run's writes.
    const shared = await server.core.room('w1/shared')
    expect(shared.doc.getMap('docs').get('log')!.toString()).toContain(`run ${run}\n`)
    const ns = (await server.core.room('w1/ns/agent-a')).doc
    expect([ns.getMap('notes').size, ns.getMap('annotations').size]).toEqual([run + 1, run + 1])
  }

  const sorted = [...synced].sort((a, b) => a - b)
  const fmt = (ms: number) => `${Math.round(ms)} ms`
  console.log(
    `[agents] reconnect-to-synced after server restart, ${RUNS} runs: ` +
      `p50 ${fmt(percentile(sorted, 50))}, p90 ${fmt(percentile(sorted, 90))}, max ${fmt(sorted.at(-1)!)} ` +
      `(whole outage incl. restart: p50 ${fmt(
        percentile(
          [...outage].sort((a, b) => a - b),
          50,
        ),
      )})`,
  )
  // Backoff starts at 200 ms (full jitter) and resets after every recovery: a short outage is
  // never followed by a long wait. Generous bound for loaded CI machines.
  expect(percentile(sorted, 50)).toBeLessThan(2_000)
})
