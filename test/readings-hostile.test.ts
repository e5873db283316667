// [harden] One member's annotations cannot freeze the server: a viewer writes the most hostile
// annotations the limits allow (longest quote and context, one-character quotes that match
// everywhere, anchors whose positions never hold so every one is re-anchored by quote, a full
// namespace) straight into its namespace room with a stock client, and oversized ones beyond
// the limits. While readings are computed, an unrelated /healthz stays fast and /divergences
// answers within its budget; oversized values are reported as skipped, never scored.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { token } from './helpers/server.ts'
import { startChildServer, type ChildServer } from './helpers/childServer.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { connectTestAgent } from './helpers/agents.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import { ANCHOR_LIMITS } from '../shared/anchoring/index.ts'
import { READING_LIMITS, type Divergences } from '../shared/review/index.ts'
import type { Agent } from '../agents/index.ts'

const WORDS = 'the quick brown fox jumps over a lazy dog while every reader sees each sentence differently '.split(' ')
/** ~3,000 characters of ordinary prose: the size of the document in the security finding. */
function prose(chars: number): string {
  let out = ''
  for (let i = 0; out.length < chars; i++) out += WORDS[(i * 7) % WORDS.length] + (i % 11 === 10 ? '. ' : ' ')
  return out.slice(0, chars)
}

const TEXT = prose(3000)

/** An annotation whose relative positions point at an item that never existed: it is always re-anchored by quote. */
function hostile(i: number, exact: string, prefix: string, suffix: string) {
  const nowhere = { item: { client: 4_000_000_000 + i, clock: 0 }, assoc: 0 }
  return {
    id: `h-${i}`,
    kind: 'annotation',
    author: 'vic',
    doc: 'draft',
    target: { start: nowhere, end: nowhere, quote: { exact, prefix, suffix }, position: { start: 0, end: 1 }, stateVector: '' },
    body: { label: 'x', comment: 'hostile' },
    createdAt: i,
  }
}

const timed = async <T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> => {
  const t0 = performance.now()
  const value = await f()
  return { ms: performance.now() - t0, value }
}

describe('hostile annotations', () => {
  // The server runs in its own process, as deployed: the probes measure its event loop, not the test's.
  let server: ChildServer
  let dataDir: string
  let agent: Agent
  let vic: StockClient

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'polyphony-hostile-'))
    server = await startChildServer({ dataDir })
    agent = await connectTestAgent(server, 'alice', { workspace: 'team' })
    agent.createDocument('draft', TEXT)
    await agent.flushed()
    vic = connectStock(server.wsUrl, 'team/ns/vic', 'vic')
    await synced(vic)
    const longContext = 'x'.repeat(ANCHOR_LIMITS.context)
    const longQuote = TEXT.slice(100, 100 + ANCHOR_LIMITS.quote).replace(/e/g, 'E')
    const map = vic.doc.getMap('annotations')
    vic.doc.transact(() => {
      // Over the per-namespace cap: the rest must be reported as skipped.
      for (let i = 0; i < READING_LIMITS.perNamespaceDoc + 20; i++) {
        const kind = i % 3
        if (kind === 0) map.set(`h-${i}`, hostile(i, 'e', longContext, longContext))
        else if (kind === 1) map.set(`h-${i}`, hostile(i, longQuote, longContext, longContext))
        else map.set(`h-${i}`, hostile(i, ' ', TEXT.slice(0, ANCHOR_LIMITS.context), TEXT.slice(50, 50 + ANCHOR_LIMITS.context)))
      }
      // Beyond the limits: invalid, never scored.
      map.set('big-context', hostile(-1, 'e', 'y'.repeat(3000), 'y'.repeat(3000)))
      map.set('big-quote', hostile(-2, TEXT.slice(0, 2500), '', ''))
    })
    await waitFor(
      async () => {
        const res = await httpJson<Divergences>(`${server.url}/api/workspaces/team/divergences?doc=draft`, { token: token('alice') })
        return res.status === 200 && res.json.skipped.length > 0
      },
      'the hostile annotations to reach the server',
      60_000,
    )
  }, 120_000)

  afterAll(async () => {
    vic?.destroy()
    agent?.close()
    await server?.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('keeps /healthz fast while /divergences and team metrics are computed, and answers within the budget', async () => {
    // Readings are kept per document state: an edit makes every reader compute them again.
    agent.edit('draft', (t) => t.insert(t.length, ' One more sentence.'))
    await agent.flushed()
    // For the log: /healthz on this machine right now, with no readings being computed.
    const idle: number[] = []
    for (let i = 0; i < 10; i++) idle.push((await timed(() => httpJson(`${server.url}/healthz`))).ms)
    const readings = [
      timed(() => httpJson<Divergences>(`${server.url}/api/workspaces/team/divergences?doc=draft`, { token: token('alice') })),
      timed(() => httpJson<Divergences>(`${server.url}/api/workspaces/team/divergences?doc=draft`, { token: token('bob') })),
      timed(() => httpJson<Divergences>(`${server.url}/api/workspaces/team/metrics`, { token: token('alice') })),
    ] as const
    let pending = readings.length
    for (const r of readings) void r.finally(() => pending--)
    const health: number[] = []
    // Measured while the readings are being computed (at least one probe, however fast they are).
    do health.push((await timed(() => httpJson(`${server.url}/healthz`))).ms)
    while (pending > 0 && health.length < 1000)
    const [a, b, m] = await Promise.all(readings)
    console.log(
      `healthz idle max ${Math.max(...idle).toFixed(1)} ms; while computing max ${Math.max(...health).toFixed(1)} ms over ${health.length} probes; divergences ${a.ms.toFixed(0)} / ${b.ms.toFixed(0)} ms; metrics ${m.ms.toFixed(0)} ms`,
    )
    // Before the bounds one hostile annotation held /healthz for minutes. Now: the 95th percentile
    // under 200 ms (or ten times the idle worst case when the machine is so loaded that even idle
    // probes are slow), and no probe over a second (a single OS stall on a shared VM is not the server).
    const sorted = [...health].sort((x, y) => x - y)
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]
    expect(p95).toBeLessThan(Math.max(200, 10 * Math.max(...idle)))
    expect(sorted[sorted.length - 1]).toBeLessThan(1_000)
    expect(a.value.status).toBe(200)
    expect(m.value.status).toBe(200)
    // The time budget plus margin for a shared machine.
    expect(a.ms).toBeLessThan(READING_LIMITS.budgetMs + 1500)
    expect(b.ms).toBeLessThan(READING_LIMITS.budgetMs + 1500)
    // The same state again is not computed again (unless the budget cut the first one short).
    const again = await timed(() => httpJson<Divergences>(`${server.url}/api/workspaces/team/divergences?doc=draft`, { token: token('alice') }))
    console.log(`divergences again, same state: ${again.ms.toFixed(0)} ms`)
    if (!a.value.json.skipped.some((s) => s.reason === 'time-budget')) expect(again.value.json).toEqual(a.value.json)
  }, 60_000)

  it('reports what it did not place: over the cap, invalid values, and the time budget', async () => {
    const res = await httpJson<Divergences>(`${server.url}/api/workspaces/team/divergences?doc=draft`, { token: token('alice') })
    const skipped = res.json.skipped
    const byReason = (reason: string) => skipped.filter((s) => s.reason === reason).reduce((n, s) => n + s.count, 0)
    expect(byReason('invalid')).toBe(2)
    expect(byReason('over-limit')).toBe(20)
    const placed = res.json.groups.reduce((n, g) => n + g.readings.reduce((k, r) => k + r.annotations.length, 0), 0)
    expect(placed + res.json.orphans.length + byReason('time-budget')).toBe(READING_LIMITS.perNamespaceDoc)
    // A one-character quote with equal context everywhere is never placed on a guess.
    expect(res.json.orphans.some((o) => o.quote === 'e')).toBe(true)
  }, 60_000)

  it('the SDK refuses oversized quotes, context and bodies, and a full namespace, with a clear error and writes nothing', async () => {
    const before = agent.annotations('draft').length
    const long = TEXT.slice(0, ANCHOR_LIMITS.quote + 1)
    expect(() => agent.annotate('draft', { quote: long }, { comment: 'too long' })).toThrow(/at most 1000 .*quote a shorter passage/)
    expect(() => agent.annotate('draft', { start: 0, end: ANCHOR_LIMITS.quote + 1 }, { comment: 'too long' })).toThrow(/annotate at most 1000/)
    expect(() => agent.annotate('draft', { quote: 'quick', hint: { prefix: 'x'.repeat(ANCHOR_LIMITS.context + 1) } }, { comment: 'c' })).toThrow(/at most 64 characters of context/)
    expect(() => agent.annotate('draft', { quote: 'quick' }, { comment: 'c'.repeat(4001) })).toThrow(/comment may hold at most 4000/)
    expect(() => agent.annotate('draft', { quote: 'quick' }, { label: 'l'.repeat(81), comment: 'c' })).toThrow(/label may hold at most 80/)
    expect(agent.annotations('draft')).toHaveLength(before)
    // Editing is not anchoring: a passage longer than an anchor may hold can still be replaced.
    expect(agent.replace('draft', { quote: long }, long)).toBe(true)
    // Fill the namespace up to the cap on this document; the next one is refused, a retry of an existing one is not.
    for (let i = agent.annotations('draft').length; i < READING_LIMITS.perNamespaceDoc; i++) agent.annotate('draft', { quote: 'quick' }, { comment: `note ${i}` })
    expect(() => agent.annotate('draft', { quote: 'quick' }, { comment: 'one too many' })).toThrow(/at most 200.*remove some/)
    expect(agent.annotate('draft', { quote: 'quick' }, { comment: 'note 0' }).created).toBe(false)
    expect(agent.annotations('draft')).toHaveLength(READING_LIMITS.perNamespaceDoc)
  }, 60_000)
})
