// [bench/chaos] The server process killed with SIGKILL in the middle of a burst, restarted on
// the same port and data directory. Acknowledged means durable: every edit covered by a
// persisted acknowledgement before the kill is on the restarted server before any client
// has had a chance to re-send it. Then the clients reconnect and nothing of theirs is lost.

import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait.ts'
import { ChaosHarness, stockOnline, turn } from './harness.ts'
import { scenarioRng } from './random.ts'
import { PersistedClocks, TokenWriter, agentText, docText, missingTokens, tokensOf } from './workload.ts'
import { waitConverged } from './convergence.ts'
import { content, DRAFT, expectExactTokens, report, seedDocuments } from './scenario.ts'
import { token } from '../helpers/server.ts'
import { type ScenarioOutcome, expectConflicts } from './expectedConflicts.ts'

let h = new ChaosHarness()
afterEach(async () => {
  await h.cleanup()
  h = new ChaosHarness()
})

const KILL_AFTER_ACKED = 200
const EDITS_WHILE_DOWN = 50
const MAX_ROUNDS = 1000
const PER_TURN = 5

describe('chaos: server killed', () => {
  it('SIGKILL mid-burst, restart on the same port: acknowledged edits survive, clients converge with nothing lost', async (): Promise<ScenarioOutcome> => {
    const started = performance.now()
    const { rng } = scenarioRng('kill -9 mid-burst')
    let server = await h.serverProcess()
    // The agents reach the server through a proxy, so they can be held off the restarted
    // server until it has been checked on its own.
    const link = await h.proxy(server.port)
    const agentA = await h.agent(link.url, 'agent-a', { storeDir: h.tempDir('store-a') })
    const agentB = await h.agent(link.url, 'agent-b', { storeDir: h.tempDir('store-b') })
    await seedDocuments(agentA)
    await waitFor(() => agentB.documents().includes(DRAFT), 'agent-b sees the draft')
    const persistedA = new PersistedClocks().follow(agentA.sharedSync)
    const persistedB = new PersistedClocks().follow(agentB.sharedSync)
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
    const ackedNow = () => [...a.ackedBy(persistedA.snapshot()), ...b.ackedBy(persistedB.snapshot())]

    let atKill: { acked: string[]; written: number } | null = null
    let writtenWhileDown = 0
    const deadline = Date.now() + 20_000
    for (let round = 0; round < MAX_ROUNDS && Date.now() < deadline; round++) {
      // Several edits per turn, so some are always in flight when the kill comes.
      for (let i = 0; i < PER_TURN; i++) {
        a.write()
        b.write()
      }
      if (atKill) {
        writtenWhileDown += 2 * PER_TURN
        if (writtenWhileDown >= EDITS_WHILE_DOWN) break
      } else if (ackedNow().length >= KILL_AFTER_ACKED) {
        atKill = { acked: ackedNow(), written: a.written.length + b.written.length }
        link.refuseNew()
        expect(await server.kill('SIGKILL')).toBe('SIGKILL')
      }
      await turn()
    }
    expect(atKill, 'the server was killed while the burst ran').not.toBeNull()
    expect(writtenWhileDown).toBe(EDITS_WHILE_DOWN)
    const killed = atKill!

    const downAt = performance.now()
    server = await h.restartProcess(server)
    const restartMs = Math.round(performance.now() - downAt)
    const checker = h.stock(server.wsUrl, 'alice')
    await stockOnline(checker)
    const onDisk = tokensOf(docText(checker.doc, DRAFT))
    expect(missingTokens(docText(checker.doc, DRAFT), killed.acked), 'acknowledged edits lost by the kill').toEqual([])

    const healedAt = performance.now()
    link.heal()
    await waitConverged({ a: agentA.shared, b: agentB.shared, checker: checker.doc }, 30_000)
    const reconnectMs = Math.round(performance.now() - healedAt)
    const all = [...a.tokens(), ...b.tokens()]
    expectExactTokens(checker.doc, all, 'the restarted server')
    await Promise.all([agentA.flushed(), agentB.flushed()])
    expect(ackedNow()).toHaveLength(all.length)

    // Everything is acknowledged now: a second kill loses nothing.
    const converged = content(checker.doc)
    checker.destroy()
    agentA.close()
    agentB.close()
    await server.kill('SIGKILL')
    server = await h.restartProcess(server)
    const fresh = h.stock(server.wsUrl, 'alice')
    await stockOnline(fresh)
    expect(content(fresh.doc)).toBe(converged)
    expectExactTokens(fresh.doc, all, 'the server after a second kill')

    const outcome = { expectedConflicts: [] }
    await expectConflicts(server.url, token('alice'), outcome.expectedConflicts)
    report('kill -9 mid-burst', started, outcome, {
      ackedAtKill: killed.acked.length,
      writtenAtKill: killed.written,
      onDiskAfterRestart: onDisk.length,
      writtenWhileDown,
      restartMs,
      healToConvergedMs: reconnectMs,
    })
    return outcome
  })
})
