// [bench/chaos] Delayed and reordered delivery between two agents: each behind its own proxy
// with a different (seeded, per-chunk) delay, so one agent's earlier edits reach the server
// after the other's later ones; then one agent writes while the other's downlink is stalled.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { waitFor } from '../helpers/wait.ts'
import { ChaosHarness, stockOnline } from './harness.ts'
import { jitter, scenarioRng } from './random.ts'
import { PersistedClocks, TokenWriter, agentText, docText, missingTokens, tokensOf } from './workload.ts'
import { waitConverged } from './convergence.ts'
import { retitle } from './contested.ts'
import { chaosServer, content, DRAFT, expectExactTokens, expectSurvivesRestart, report, seedDocuments, serverDoc } from './scenario.ts'
import { token } from '../helpers/server.ts'
import { expectedConflict, type ScenarioOutcome, expectConflicts } from './expectedConflicts.ts'
import { SHARED } from './harness.ts'

let h = new ChaosHarness()
afterEach(async () => {
  await h.cleanup()
  h = new ChaosHarness()
})

/** Records the order in which tokens first appear in a replica's draft. */
function arrivalOrder(doc: Y.Doc): string[] {
  const order: string[] = []
  const seen = new Set<string>()
  doc.on('update', () => {
    for (const t of tokensOf(docText(doc, DRAFT))) {
      if (!seen.has(t)) {
        seen.add(t)
        order.push(t)
      }
    }
  })
  return order
}

describe('chaos: delay and reordering', () => {
  it('two agents on links with different delays, one writing while the other is stalled, converge with every acknowledged edit', async (): Promise<ScenarioOutcome> => {
    const started = performance.now()
    const { rng } = scenarioRng('delay and reorder')
    const srv = await chaosServer(h)
    const server = srv.current()
    const slow = await h.proxy(server.port)
    const fast = await h.proxy(server.port)
    const agentA = await h.agent(slow.url, 'agent-a')
    const agentB = await h.agent(fast.url, 'agent-b')
    await seedDocuments(agentA)
    const observer = h.stock(server.wsUrl, 'alice')
    await stockOnline(observer)
    await waitConverged({ a: agentA.shared, b: agentB.shared, observer: observer.doc })
    const arrivals = arrivalOrder(observer.doc)
    const ackedA = new PersistedClocks().follow(agentA.sharedSync)
    const ackedB = new PersistedClocks().follow(agentB.sharedSync)

    slow.setDelay(jitter(rng, 60, 140))
    fast.setDelay(jitter(rng, 0, 8))
    const a = new TokenWriter(
      'a',
      agentText(() => agentA, DRAFT),
      rng,
    )
    const b = new TokenWriter(
      'b',
      agentText(() => agentB, DRAFT),
      rng,
    )
    // a_i is always written before b_i; on these links b_i usually arrives first.
    for (let i = 0; i < 40; i++) {
      a.write()
      b.write()
      if (i % 5 === 4) await new Promise((resolve) => setImmediate(resolve))
    }
    await waitFor(() => missingTokens(docText(observer.doc, DRAFT), [...a.tokens(), ...b.tokens()]).length === 0, 'observer has all', 15_000)
    const position = new Map(arrivals.map((t, i) => [t, i]))
    const overtaken = a.tokens().filter((t, i) => position.get(t)! > position.get(b.tokens()[i])!).length
    expect(overtaken, 'later edits of the fast agent overtook earlier ones of the slow agent').toBeGreaterThan(0)
    await Promise.all([agentA.flushed(), agentB.flushed()])
    await waitConverged({ a: agentA.shared, b: agentB.shared, observer: observer.doc })

    // B's downlink stalls: B keeps sending, hears nothing. A writes, and retitles first (durably).
    fast.setDelay(0)
    slow.setDelay(jitter(rng, 0, 30))
    fast.stall('down')
    const stallFrom = a.written.length
    for (let i = 0; i < 30; i++) a.write()
    const titleA = retitle(agentA.shared, 'agent-a')
    await agentA.flushed()
    for (let i = 0; i < 10; i++) b.write()
    const titleB = retitle(agentB.shared, 'agent-b')
    const during = await serverDoc(server)
    await waitFor(() => missingTokens(docText(during, DRAFT), b.tokens()).length === 0, 'B still reaches the server')
    const heldBack = a.tokens().slice(stallFrom)
    expect(missingTokens(docText(agentB.shared, DRAFT), heldBack)).toEqual(heldBack)
    expect(fast.buffered().down).toBeGreaterThan(0)
    // Acknowledgements travel on the stalled downlink: none of B's last 10 can have arrived.
    const ackedBeforeResume = b.ackedBy(ackedB.snapshot()).length
    expect(ackedBeforeResume).toBeLessThanOrEqual(b.written.length - 10)

    fast.resume('down')
    await waitConverged({ a: agentA.shared, b: agentB.shared, observer: observer.doc, server: during })
    await Promise.all([agentA.flushed(), agentB.flushed()])
    const all = [...a.tokens(), ...b.tokens()]
    expectExactTokens(during, all, 'the server')
    // Every edit both agents wrote is acknowledged by now, through their own delayed links.
    expect(a.ackedBy(ackedA.snapshot())).toEqual(a.tokens())
    expect(b.ackedBy(ackedB.snapshot())).toEqual(b.tokens())
    expect([titleA, titleB]).toContain(during.getMap('meta').get('title'))

    await expectSurvivesRestart(srv, () => [agentA, agentB].forEach((x) => x.close()), content(during), all)
    const outcome = { expectedConflicts: [expectedConflict('map-key-overwrite', SHARED, ['meta', 'title'], ['agent-a', 'agent-b'])] }
    await expectConflicts(srv.current().url, token('alice'), outcome.expectedConflicts)
    report('delay and reorder', started, outcome, { overtaken: `${overtaken}/40`, heldBack: heldBack.length, bAckedWhileStalled: ackedBeforeResume })
    return outcome
  })
})
