// [bench/chaos] A browser-like client (stock WebsocketProvider keeping its Y.Doc across the
// outage, as a tab with y-indexeddb does) and an SDK agent with a local store are both offline
// and editing the same document; the agent even restarts while offline. Back online, both
// sets of edits are everywhere and durable.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { waitFor } from '../helpers/wait.ts'
import { ChaosHarness, agentOffline, stockOffline, stockOnline } from './harness.ts'
import { scenarioRng } from './random.ts'
import { TokenWriter, agentText, docText, missingTokens, stockText } from './workload.ts'
import { waitConverged } from './convergence.ts'
import { CONTESTED_DOC, contestedConflicts, contestedOutcome, retitle, rewriteSentence } from './contested.ts'
import { chaosServer, content, DRAFT, expectExactTokens, expectSurvivesRestart, report, seedDocuments, serverDoc } from './scenario.ts'
import { token } from '../helpers/server.ts'
import { type ScenarioOutcome, expectConflicts } from './expectedConflicts.ts'

let h = new ChaosHarness()
afterEach(async () => {
  await h.cleanup()
  h = new ChaosHarness()
})

describe('chaos: offline browser and agent', () => {
  it('a browser-like client and an agent both edit the same document offline, then reconnect: both sets of edits converge', async (): Promise<ScenarioOutcome> => {
    const started = performance.now()
    const { rng } = scenarioRng('offline browser and agent')
    const srv = await chaosServer(h)
    const server = srv.current()
    const tabLink = await h.proxy(server.port)
    const agentLink = await h.proxy(server.port)
    const storeDir = h.tempDir('store')
    let agent = await h.agent(agentLink.url, 'agent-a', { storeDir })
    await seedDocuments(agent)
    const tabDoc = new Y.Doc()
    const tab = h.stock(tabLink.wsUrl, 'alice', { doc: tabDoc })
    await stockOnline(tab)
    await waitConverged({ agent: agent.shared, tab: tabDoc })

    const mine = new TokenWriter('alice', stockText(tab, DRAFT), rng)
    const its = new TokenWriter(
      'a',
      agentText(() => agent, DRAFT),
      rng,
    )
    for (let i = 0; i < 10; i++) [mine, its].forEach((w) => w.write())
    await agent.flushed()
    await waitConverged({ agent: agent.shared, tab: tabDoc, server: await serverDoc(server) })

    tabLink.partition()
    agentLink.partition()
    await Promise.all([stockOffline(tab), agentOffline(agent)])
    const offlineFrom = { mine: mine.written.length, its: its.written.length }
    for (let i = 0; i < 40; i++) (rng() < 0.5 ? mine : its).write()
    const rewrites = [
      rewriteSentence(stockText(tab, CONTESTED_DOC), 'alice'),
      rewriteSentence(
        agentText(() => agent, CONTESTED_DOC),
        'agent-a',
      ),
    ]
    const titles = [retitle(tabDoc, 'alice'), retitle(agent.shared, 'agent-a')]

    // The agent process restarts while still offline: it starts from its local store.
    const beforeRestart = docText(agent.shared, DRAFT)
    agent.close()
    agent = await h.agent(agentLink.url, 'agent-a', { storeDir })
    expect(agent.connection).not.toBe('online')
    expect(docText(agent.shared, DRAFT)).toBe(beforeRestart)
    for (let i = 0; i < 20; i++) (rng() < 0.5 ? mine : its).write()
    await waitFor(() => tabLink.stats.refused >= 2 && agentLink.stats.refused >= 2, 'both retried and were refused')

    const offline = [...mine.tokens().slice(offlineFrom.mine), ...its.tokens().slice(offlineFrom.its)]
    const during = await serverDoc(server)
    expect(missingTokens(docText(during, DRAFT), offline)).toEqual(offline)
    expect(missingTokens(docText(tabDoc, DRAFT), its.tokens().slice(offlineFrom.its))).toHaveLength(its.written.length - offlineFrom.its)

    const healedAt = performance.now()
    tabLink.heal()
    agentLink.heal()
    await waitConverged({ agent: agent.shared, tab: tabDoc, server: during })
    const healMs = Math.round(performance.now() - healedAt)
    await agent.flushed()
    const all = [...mine.tokens(), ...its.tokens()]
    expectExactTokens(during, all, 'the server')
    expect(contestedOutcome(during, rewrites, titles).ok).toBe(true)

    await expectSurvivesRestart(srv, () => (agent.close(), tab.destroy()), content(during), all)
    const outcome = { expectedConflicts: contestedConflicts(['agent-a', 'alice'], ['agent-a', 'alice']) }
    await expectConflicts(srv.current().url, token('alice'), outcome.expectedConflicts)
    report('offline browser and agent', started, outcome, { offlineEdits: offline.length, healToConvergedMs: healMs })
    return outcome
  })
})
