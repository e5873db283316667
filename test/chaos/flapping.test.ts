// [bench/chaos] A flapping link: connections reset at seeded random moments while an agent
// and a browser-like client write. Whenever the agent's flushed() resolves, everything it had
// written before the call is on the server, however many times the link died in between.
// Rooms unload 5 ms after their last connection leaves, so most reconnects reload the room
// from storage while the clients re-send what the server may not have.

import { afterEach, describe, expect, it } from 'vitest'
import { ChaosHarness, stockOnline, turn } from './harness.ts'
import { between, scenarioRng } from './random.ts'
import { TokenWriter, agentText, docText, missingTokens, stockText } from './workload.ts'
import { waitConverged } from './convergence.ts'
import { chaosServer, content, DRAFT, expectExactTokens, expectSurvivesRestart, report, seedDocuments, serverDoc } from './scenario.ts'
import { token } from '../helpers/server.ts'
import { type ScenarioOutcome, expectConflicts } from './expectedConflicts.ts'

let h = new ChaosHarness()
afterEach(async () => {
  await h.cleanup()
  h = new ChaosHarness()
})

const FLUSHES = 12

describe('chaos: flapping link', () => {
  it('resets at random moments: every resolved flushed() covers what was written before it', async (): Promise<ScenarioOutcome> => {
    const started = performance.now()
    const { rng } = scenarioRng('flapping link')
    const srv = await chaosServer(h, { limits: { idleRoomMs: 5 } })
    const server = srv.current()
    const link = await h.proxy(server.port)
    const agent = await h.agent(link.url, 'agent-a', { storeDir: h.tempDir('store') })
    await seedDocuments(agent)
    const tab = h.stock(link.wsUrl, 'bob')
    await stockOnline(tab)
    const a = new TokenWriter(
      'a',
      agentText(() => agent, DRAFT),
      rng,
    )
    const bob = new TokenWriter('bob', stockText(tab, DRAFT), rng)

    let resets = 0
    for (let round = 0; round < FLUSHES; round++) {
      const count = between(rng, 5, 40)
      for (let i = 0; i < count; i++) {
        ;(rng() < 0.7 ? a : bob).write()
        // Reset the link at a random write: frames in flight die with it.
        if (rng() < 0.04) {
          link.reset()
          resets++
        }
        if (i % 8 === 7) await turn()
      }
      const covered = a.tokens()
      if (rng() < 0.9) {
        link.reset()
        resets++
      }
      await agent.flushed()
      expect(missingTokens(docText(await serverDoc(server), DRAFT), covered), `round ${round}: acknowledged but not on the server`).toEqual([])
    }

    // Both clients are connected again, so the room stays loaded from here on.
    const onServerNow = await serverDoc(server)
    await waitConverged({ agent: agent.shared, tab: tab.doc, server: onServerNow }, 30_000)
    const all = [...a.tokens(), ...bob.tokens()]
    expectExactTokens(onServerNow, all, 'the server')
    await expectSurvivesRestart(srv, () => (agent.close(), tab.destroy()), content(onServerNow), all)
    const outcome = { expectedConflicts: [] }
    await expectConflicts(srv.current().url, token('alice'), outcome.expectedConflicts)
    report('flapping link', started, outcome, { resets, accepted: link.stats.accepted, edits: all.length })
    return outcome
  })
})
