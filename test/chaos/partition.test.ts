// [bench/chaos] Network partitions: one writer cut off for a while; the server cut off from
// half of the clients while both halves keep editing. Heal, converge, survive a restart.

import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait.ts'
import { synced } from '../helpers/clients.ts'
import { ChaosHarness, agentOffline, stockOffline, stockOnline } from './harness.ts'
import { scenarioRng, type Rng } from './random.ts'
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

/** `rounds` rounds in which each writer, in seeded random order, writes `perRound` tokens. */
function writeRounds(rng: Rng, writers: TokenWriter[], rounds: number, perRound = 1): string[] {
  const out: string[] = []
  for (let r = 0; r < rounds; r++) {
    const order = [...writers].sort(() => rng() - 0.5)
    for (const w of order) for (let i = 0; i < perRound; i++) out.push(w.write())
  }
  return out
}

const allTokens = (writers: TokenWriter[]) => writers.flatMap((w) => w.tokens())

describe('chaos: partitions', () => {
  it('a writer partitioned for a while keeps editing locally; after heal all converge, nothing is lost', async (): Promise<ScenarioOutcome> => {
    const started = performance.now()
    const { rng } = scenarioRng('partitioned writer')
    const srv = await chaosServer(h)
    const server = srv.current()
    const link = await h.proxy(server.port)
    const writer = await h.agent(link.url, 'agent-a', { storeDir: h.tempDir('store') })
    const peer = await h.agent(server.url, 'agent-b')
    await seedDocuments(peer)
    const bob = h.stock(server.wsUrl, 'bob')
    await synced(bob)
    await waitConverged({ writer: writer.shared, peer: peer.shared, bob: bob.doc })

    const a = new TokenWriter(
      'a',
      agentText(() => writer, DRAFT),
      rng,
    )
    const b = new TokenWriter(
      'b',
      agentText(() => peer, DRAFT),
      rng,
    )
    const bobs = new TokenWriter('bob', stockText(bob, DRAFT), rng)
    const writers = [a, b, bobs]
    writeRounds(rng, writers, 20)
    await Promise.all([writer.flushed(), peer.flushed()])

    // Cut off the hard way: RST on the live connections, new ones refused.
    link.refuseNew()
    link.reset()
    await agentOffline(writer)
    const offlineStart = a.written.length
    writeRounds(rng, writers, 30)
    const rewrites = [
      rewriteSentence(
        agentText(() => writer, CONTESTED_DOC),
        'agent-a',
      ),
      rewriteSentence(
        agentText(() => peer, CONTESTED_DOC),
        'agent-b',
      ),
    ]
    const titles = [retitle(writer.shared, 'agent-a'), retitle(peer.shared, 'agent-b')]
    // The partition holds: the writer tried to come back and was refused, twice.
    await waitFor(() => link.stats.refused >= 2, 'reconnect attempts refused')
    writeRounds(rng, writers, 10)
    const offlineTokens = a.tokens().slice(offlineStart)
    await peer.flushed()
    const during = await serverDoc(server)
    expect(missingTokens(docText(during, DRAFT), offlineTokens)).toEqual(offlineTokens)
    expect(missingTokens(docText(during, DRAFT), b.tokens())).toEqual([])
    expect(missingTokens(docText(writer.shared, DRAFT), b.tokens().slice(-10)).length).toBe(10)

    const healedAt = performance.now()
    link.heal()
    await waitConverged({ writer: writer.shared, peer: peer.shared, bob: bob.doc, server: during })
    const healMs = Math.round(performance.now() - healedAt)
    await Promise.all([writer.flushed(), peer.flushed()])
    expectExactTokens(writer.shared, allTokens(writers), 'the writer')
    expect(contestedOutcome(writer.shared, rewrites, titles).ok).toBe(true)

    await expectSurvivesRestart(srv, () => [writer, peer].forEach((x) => x.close()), content(during), allTokens(writers))
    const outcome = { expectedConflicts: contestedConflicts(['agent-a', 'agent-b'], ['agent-a', 'agent-b']) }
    await expectConflicts(srv.current().url, token('alice'), outcome.expectedConflicts)
    report('partitioned writer', started, outcome, { offlineEdits: offlineTokens.length, refused: link.stats.refused, healToConvergedMs: healMs })
    return outcome
  })

  it('the server partitioned from half of the clients: both halves keep editing, heal converges everyone', async (): Promise<ScenarioOutcome> => {
    const started = performance.now()
    const { rng } = scenarioRng('half partition')
    const srv = await chaosServer(h)
    const server = srv.current()
    const half = await h.proxy(server.port)
    // Cut-off half: an agent and a browser-like client; the other half connects directly.
    const agentA = await h.agent(half.url, 'agent-a', { storeDir: h.tempDir('store') })
    const agentB = await h.agent(server.url, 'agent-b')
    await seedDocuments(agentB)
    const bob = h.stock(half.wsUrl, 'bob')
    const alice = h.stock(server.wsUrl, 'alice')
    await Promise.all([stockOnline(bob), stockOnline(alice)])
    await waitConverged({ agentA: agentA.shared, agentB: agentB.shared, bob: bob.doc, alice: alice.doc })

    const cutOff = [
      new TokenWriter(
        'a',
        agentText(() => agentA, DRAFT),
        rng,
      ),
      new TokenWriter('bob', stockText(bob, DRAFT), rng),
    ]
    const connected = [
      new TokenWriter(
        'b',
        agentText(() => agentB, DRAFT),
        rng,
      ),
      new TokenWriter('alice', stockText(alice, DRAFT), rng),
    ]
    const writers = [...cutOff, ...connected]
    writeRounds(rng, writers, 15)
    await waitConverged({ agentA: agentA.shared, agentB: agentB.shared, bob: bob.doc, alice: alice.doc })

    half.partition()
    await Promise.all([agentOffline(agentA), stockOffline(bob)])
    const before = new Map(writers.map((w) => [w, w.written.length]))
    writeRounds(rng, writers, 40)
    const rewrites = [
      rewriteSentence(
        agentText(() => agentA, CONTESTED_DOC),
        'agent-a',
      ),
      rewriteSentence(
        agentText(() => agentB, CONTESTED_DOC),
        'agent-b',
      ),
    ]
    const titles = [retitle(bob.doc, 'bob'), retitle(alice.doc, 'alice')]
    await waitFor(() => half.stats.refused >= 2, 'the cut-off half retried and was refused')
    writeRounds(rng, writers, 10)
    const since = (ws: TokenWriter[]) => ws.flatMap((w) => w.tokens().slice(before.get(w)))

    // The connected half converges with the server on its own; the cut-off half sees none of it.
    const during = await serverDoc(server)
    await waitConverged({ agentB: agentB.shared, alice: alice.doc, server: during })
    expect(missingTokens(docText(during, DRAFT), since(cutOff))).toEqual(since(cutOff))
    for (const replica of [agentA.shared, bob.doc]) {
      expect(missingTokens(docText(replica, DRAFT), since(connected))).toEqual(since(connected))
    }

    const healedAt = performance.now()
    half.heal()
    await waitConverged({ agentA: agentA.shared, agentB: agentB.shared, bob: bob.doc, alice: alice.doc, server: during })
    const healMs = Math.round(performance.now() - healedAt)
    await Promise.all([agentA.flushed(), agentB.flushed()])
    expectExactTokens(during, allTokens(writers), 'the server')
    expect(contestedOutcome(during, rewrites, titles).ok).toBe(true)

    await expectSurvivesRestart(srv, () => [agentA, agentB, bob, alice].forEach((x) => ('close' in x ? x.close() : x.destroy())), content(during), allTokens(writers))
    const outcome = { expectedConflicts: contestedConflicts(['agent-a', 'agent-b'], ['alice', 'bob']) }
    await expectConflicts(srv.current().url, token('alice'), outcome.expectedConflicts)
    report('half partition', started, outcome, { editsWhilePartitioned: since(writers).length, healToConvergedMs: healMs })
    return outcome
  })
})
