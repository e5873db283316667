// Acceptance suite for the coordination stores: TaskStore (server/coord/TaskStore.ts, clauses
// [TKn]) and AgentReportStore (server/coord/AgentReportStore.ts, clauses [ARn]). Every backend
// runs it (test/coord/contract.test.ts). Time moves only through `advance`: the SQLite store
// has an injected clock; the Postgres store reads the database clock, shifted by the fixture.
// Real time also passes on Postgres, so a clause only asserts "still live" well inside a TTL.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as prng from 'lib0/prng'
import type { AgentReportStore, TaskStore } from '../../server/coord/index.ts'
import { CoordError } from '../../server/coord/index.ts'
import { computeTeamMetrics, planActivityRead, type ClaimLogEntry, type Lease } from '../../shared/coord/index.ts'

export interface CoordFixture {
  tasks: TaskStore
  reports: AgentReportStore
  /** Moves the stores' clock forward. */
  advance(ms: number): void
  teardown(): Promise<void>
}

/** A TTL far longer than any pause a loaded machine makes between two calls of one clause. */
const TTL = 60_000

const claimed = async (p: ReturnType<TaskStore['claim']>) => {
  const r = await p
  if (!r.ok) throw new Error(`claim refused: ${r.code}`)
  return r.lease
}

/**
 * Seeded random creations, claims, renewals, releases, completions and reports over a few minutes of
 * store time (steps of 0 ms to 5 s, often sub-second), then team metrics for random ranges and
 * bucket sizes computed from the stored counts and from the raw entries: they must be equal.
 */
async function countsMatchRawEntries(fx: CoordFixture, what: 'claims' | 'reports', seed: number): Promise<void> {
  const s = fx.tasks
  const gen = prng.create(seed)
  const principals = ['a', 'b', 'c']
  const tasks = ['t1', 't2', 't3', 't4', 't5']
  for (const id of tasks) await s.create('w', { id, title: id }, 'alice')
  const leases = new Map<string, Lease>()
  for (let step = 0; step < 120; step++) {
    const id = prng.oneOf(gen, tasks)
    const who = prng.oneOf(gen, principals)
    const lease = leases.get(id)
    const roll = prng.int32(gen, 0, 9)
    if (roll === 0 && step % 30 === 0) await s.create('w', { id: `late${step}`, title: 'late' }, 'alice')
    if (what === 'reports') {
      await fx.reports.record('w', who, {
        model: null,
        modelCalls: prng.int32(gen, 0, 3),
        inputTokens: prng.int32(gen, 0, 50),
        outputTokens: 7,
        errors: prng.int32(gen, 0, 1),
        retries: 0,
        breaker: null,
      })
    } else if (roll < 5 || !lease) {
      const r = await s.claim('w', id, who, prng.int32(gen, 500, 8000))
      if (r.ok) leases.set(id, r.lease)
    } else if (roll < 7) await s.renew('w', id, prng.bool(gen) ? lease.owner : who, lease.fencingToken)
    else if (roll < 9) await s.release('w', id, lease.owner, lease.fencingToken - prng.int32(gen, 0, 1))
    else if (prng.int32(gen, 0, 3) === 0) await s.complete('w', id, lease.owner, lease.fencingToken, null)
    fx.advance(prng.oneOf(gen, [0, 1, 7, 250, 999, 1000, 1001, 3000, 5000]))
    if (step % 40 === 39) await s.expireDue()
  }
  const shapes = (await s.list('w')).map((t) => ({ id: t.id, dependsOn: t.dependsOn, createdAt: t.createdAt }))
  const log = await s.claimLog('w')
  const reports = await fx.reports.list('w', 0, Number.MAX_SAFE_INTEGER)
  const times = [...log.map((e) => e.at), ...reports.map((r) => r.at)]
  const [first, last] = [Math.min(...times), Math.max(...times)]
  for (let q = 0; q < 12; q++) {
    const since = first - prng.int32(gen, 0, 70_000)
    const until = last + 1 - prng.int32(gen, -70_000, Math.floor((last - first) / 2))
    if (until <= since) continue
    const bucketMs = prng.oneOf(gen, [1000, 1500, 7000, 60_000, 90_000, 3_600_000])
    const plan = planActivityRead(since, until, bucketMs)
    const common = { workspace: 'w', writes: [], tasks: shapes, since, until, bucketMs, windowMs: 1000 }
    const counted = { claims: await s.claimActivity('w', plan), flow: await s.taskFlowEvents('w', since, until), reports: await fx.reports.activity('w', plan) }
    const fromCounts = computeTeamMetrics({ ...common, ...counted })
    const fromEntries = computeTeamMetrics({ ...common, claims: log, reports })
    const label = `seed ${seed}, query ${q}: since ${since}, until ${until}, bucket ${bucketMs}`
    expect(fromCounts.claims, label).toEqual(fromEntries.claims)
    expect(fromCounts.perPrincipal, label).toEqual(fromEntries.perPrincipal)
    expect(fromCounts.timeline, label).toEqual(fromEntries.timeline)
    expect(fromCounts.tasks, label).toEqual(fromEntries.tasks)
  }
  // Not a vacuous comparison: there were entries of several kinds to count.
  expect(what === 'claims' ? new Set(log.map((e) => e.event)).size : reports.length).toBeGreaterThan(what === 'claims' ? 4 : 100)
}

const contractSeed = (clause: string): number => {
  const seed = Number(process.env.COORD_SEED ?? Date.now() % 1_000_000)
  console.log(`${clause} seed=${seed} (rerun with COORD_SEED=${seed})`)
  return seed
}

export function runCoordContract(name: string, setup: () => Promise<CoordFixture>): void {
  describe(`coordination store contract: ${name}`, () => {
    let fx: CoordFixture
    let s: TaskStore
    let delivered: ClaimLogEntry[]
    beforeEach(async () => {
      fx = await setup()
      s = fx.tasks
      delivered = []
      s.onEntries((entries) => delivered.push(...entries))
    })
    afterEach(async () => {
      await fx.teardown()
    })

    it('[TK1] create is idempotent for the same fields and refuses different ones, bad ids and self-dependencies', async () => {
      expect((await s.create('w', { id: 't', title: 'T', dependsOn: ['u', 'u'] }, 'alice')).created).toBe(true)
      const again = await s.create('w', { id: 't', title: 'T', dependsOn: ['u'] }, 'bob')
      expect(again).toMatchObject({ created: false, task: { createdBy: 'alice', dependsOn: ['u'], status: 'open', fencingToken: 0 } })
      await expect(s.create('w', { id: 't', title: 'Other' }, 'alice')).rejects.toThrow(CoordError)
      await expect(s.create('w', { id: 'x', title: 'X', dependsOn: ['x'] }, 'alice')).rejects.toThrow(/itself/)
      await expect(s.create('w', { id: '../x', title: 'X' }, 'alice')).rejects.toThrow(/must match/)
      await expect(s.claim('w', 'missing', 'a', TTL)).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/no task missing/) })
      expect(await s.get('w', 'missing')).toBeNull()
      expect(delivered.map((e) => e.event)).toEqual(['created'])
    })

    it('[TK2] one claim wins with token 1; a claim by another is refused with the holder and logged as a race', async () => {
      await s.create('w', { id: 't', title: 'T' }, 'alice')
      const lease = await claimed(s.claim('w', 't', 'a', TTL))
      expect(lease).toMatchObject({ workspace: 'w', taskId: 't', owner: 'a', fencingToken: 1, ttlMs: TTL })
      expect(lease.expiresAt - lease.acquiredAt).toBe(TTL)
      fx.advance(5)
      expect(await s.claim('w', 't', 'b', TTL)).toMatchObject({ ok: false, code: 'held', holder: 'a', expiresAt: lease.expiresAt })
      expect(await s.get('w', 't')).toMatchObject({ status: 'claimed', owner: 'a', fencingToken: 1, leaseExpiresAt: lease.expiresAt })
      const races = await s.claimLog('w', { events: ['race'] })
      expect(races).toMatchObject([{ principal: 'b', holder: 'a', fencingToken: 1 }])
      expect(races[0].detail?.heldForMs).toBeGreaterThanOrEqual(5)
    })

    it('[TK3] an expired lease returns to the pool once, logged expired; its token is refused; the next claim gets a higher one', async () => {
      await s.create('w', { id: 't', title: 'T' }, 'alice')
      const first = await claimed(s.claim('w', 't', 'a', TTL))
      fx.advance(TTL / 2)
      expect(await s.claim('w', 't', 'b', TTL)).toMatchObject({ ok: false, code: 'held', holder: 'a' })
      fx.advance(TTL / 2)
      expect(await s.get('w', 't')).toMatchObject({ status: 'open', owner: null, fencingToken: 1, leaseExpiresAt: null })
      expect(await s.get('w', 't')).toMatchObject({ status: 'open' })
      expect((await s.list('w')).map((t) => t.status)).toEqual(['open'])
      expect(await s.claimLog('w', { events: ['expired'] })).toMatchObject([{ principal: 'a', fencingToken: 1, detail: { expiresAt: first.expiresAt } }])
      const second = await claimed(s.claim('w', 't', 'b', TTL))
      expect(second.fencingToken).toBe(2)
      expect(await s.complete('w', 't', 'a', first.fencingToken, 'late')).toMatchObject({ ok: false, code: 'stale_fence' })
      expect(await s.renew('w', 't', 'a', first.fencingToken)).toMatchObject({ ok: false, code: 'stale_fence' })
      expect(await s.claimLog('w', { events: ['stale_fence'] })).toHaveLength(2)
    })

    it('[TK4] renew extends from now by the claimed TTL; only the holder may; release returns the task; tokens strictly increase', async () => {
      await s.create('w', { id: 't', title: 'T' }, 'alice')
      const lease = await claimed(s.claim('w', 't', 'a', TTL))
      fx.advance(TTL / 2)
      const renewed = await s.renew('w', 't', 'a', lease.fencingToken)
      if (!renewed.ok || !renewed.lease) throw new Error('renew refused')
      expect(renewed.lease).toMatchObject({ fencingToken: 1, ttlMs: TTL })
      expect(renewed.lease.expiresAt).toBeGreaterThanOrEqual(lease.expiresAt + TTL / 2)
      fx.advance(TTL * 0.75) // past the first expiry, inside the renewed one
      expect(await s.get('w', 't')).toMatchObject({ status: 'claimed', owner: 'a' })
      expect(await s.renew('w', 't', 'b', lease.fencingToken)).toMatchObject({ ok: false, code: 'not_holder' })
      expect(await s.release('w', 't', 'a', lease.fencingToken)).toMatchObject({ ok: true, task: { status: 'open', owner: null }, lease: null })
      expect(await s.release('w', 't', 'a', lease.fencingToken)).toMatchObject({ ok: false, code: 'stale_fence' })
      const tokens = [lease.fencingToken]
      tokens.push((await claimed(s.claim('w', 't', 'b', TTL))).fencingToken)
      // Re-claiming one's own live lease (a lost response) supersedes it with a new token.
      tokens.push((await claimed(s.claim('w', 't', 'b', TTL))).fencingToken)
      fx.advance(TTL)
      tokens.push((await claimed(s.claim('w', 't', 'c', TTL))).fencingToken)
      expect(tokens).toEqual([1, 2, 3, 4])
      expect((await s.claimLog('w', { events: ['won'] })).map((e) => e.detail?.supersedes ?? null)).toEqual([null, null, 2, null])
    })

    it('[TK5] complete stores the result; a repeated completion is answered again; later claims are refused as done', async () => {
      await s.create('w', { id: 't', title: 'T' }, 'alice')
      const lease = await claimed(s.claim('w', 't', 'b', TTL))
      expect(await s.complete('w', 't', 'a', lease.fencingToken, null)).toMatchObject({ ok: false, code: 'not_holder' })
      expect(await s.complete('w', 't', 'b', lease.fencingToken, { ok: 1 })).toMatchObject({ ok: true, task: { status: 'done', owner: 'b', result: { ok: 1 } } })
      expect(await s.complete('w', 't', 'b', lease.fencingToken, { ok: 1 })).toMatchObject({ ok: true, task: { status: 'done' } })
      expect(await s.claim('w', 't', 'c', TTL)).toMatchObject({ ok: false, code: 'done' })
      expect((await s.claimLog('w', { taskId: 't' })).map((e) => e.event)).toEqual(['created', 'won', 'not_holder', 'completed', 'refused_done'])
    })

    it('[TK6] a claim is blocked by unfinished (or missing) dependencies until they are done', async () => {
      await s.create('w', { id: 'a', title: 'A' }, 'alice')
      await s.create('w', { id: 'b', title: 'B', dependsOn: ['a', 'later'] }, 'alice')
      expect(await s.claim('w', 'b', 'x', TTL)).toMatchObject({ ok: false, code: 'blocked', unfinished: ['a', 'later'] })
      const a = await claimed(s.claim('w', 'a', 'x', TTL))
      await s.complete('w', 'a', 'x', a.fencingToken, null)
      await s.create('w', { id: 'later', title: 'L' }, 'alice')
      expect(await s.claim('w', 'b', 'x', TTL)).toMatchObject({ ok: false, code: 'blocked', unfinished: ['later'] })
      const later = await claimed(s.claim('w', 'later', 'x', TTL))
      await s.complete('w', 'later', 'x', later.fencingToken, null)
      expect(await s.claim('w', 'b', 'x', TTL)).toMatchObject({ ok: true, lease: { fencingToken: 1 } })
    })

    it('[TK7] the sweep returns every due lease across workspaces once; msUntilNextExpiry follows the earliest live lease', async () => {
      expect(await s.msUntilNextExpiry()).toBeNull()
      for (const ws of ['w1', 'w2']) await s.create(ws, { id: 't', title: 'T' }, 'alice')
      await claimed(s.claim('w1', 't', 'a', TTL))
      await claimed(s.claim('w2', 't', 'a', 2 * TTL))
      const until = (await s.msUntilNextExpiry())!
      expect(until).toBeGreaterThan(TTL / 2)
      expect(until).toBeLessThanOrEqual(TTL)
      expect(await s.expireDue()).toEqual([])
      fx.advance(TTL)
      expect(await s.expireDue()).toEqual([{ workspace: 'w1', id: 't' }])
      expect(await s.expireDue()).toEqual([])
      expect(await s.msUntilNextExpiry()).toBeLessThanOrEqual(TTL)
      fx.advance(TTL)
      expect(await s.expireDue()).toEqual([{ workspace: 'w2', id: 't' }])
      expect(await s.msUntilNextExpiry()).toBeNull()
      expect(await s.get('w1', 't')).toMatchObject({ status: 'open' })
      expect(delivered.filter((e) => e.event === 'expired').map((e) => e.workspace)).toEqual(['w1', 'w2'])
      expect((await s.workspaces()).sort()).toEqual(['w1', 'w2'])
    })

    it('[TK8] the claim log answers by time range, task, events and the last n, oldest first', async () => {
      await s.create('w', { id: 'a', title: 'A' }, 'alice')
      await s.create('w', { id: 'b', title: 'B' }, 'alice')
      await s.create('other', { id: 'a', title: 'A' }, 'alice')
      const [start] = await s.claimLog('w', { taskId: 'a' })
      fx.advance(1000)
      const lease = await claimed(s.claim('w', 'a', 'x', TTL))
      await s.claim('w', 'a', 'y', TTL)
      await s.claim('w', 'a', 'z', TTL)
      await s.release('w', 'a', 'x', lease.fencingToken)
      const all = await s.claimLog('w')
      expect(all.map((e) => [e.taskId, e.event])).toEqual([
        ['a', 'created'],
        ['b', 'created'],
        ['a', 'won'],
        ['a', 'race'],
        ['a', 'race'],
        ['a', 'released'],
      ])
      expect(all.map((e) => e.seq)).toEqual(all.map((e) => e.seq).sort((x, y) => x - y))
      expect(await s.claimLog('w', { until: start.at + 1000 })).toHaveLength(2)
      expect((await s.claimLog('w', { since: start.at + 1000 })).map((e) => e.event)).toEqual(['won', 'race', 'race', 'released'])
      expect((await s.claimLog('w', { taskId: 'b' })).map((e) => e.event)).toEqual(['created'])
      expect((await s.claimLog('w', { events: ['race'], limit: 1 })).map((e) => e.principal)).toEqual(['z'])
      expect((await s.claimLog('w', { limit: 2 })).map((e) => e.event)).toEqual(['race', 'released'])
      expect(await s.claimLog('nobody')).toEqual([])
    })

    it('[TK9] entries reach onEntries after commit, once, in seq order, as the claim log stores them', async () => {
      await s.create('w', { id: 't', title: 'T' }, 'alice')
      const lease = await claimed(s.claim('w', 't', 'a', TTL))
      await s.claim('w', 't', 'b', TTL)
      await s.renew('w', 't', 'a', lease.fencingToken)
      await s.complete('w', 't', 'a', lease.fencingToken, 'ok')
      expect(delivered).toEqual(await s.claimLog('w'))
      expect(delivered.map((e) => e.event)).toEqual(['created', 'won', 'race', 'renewed', 'completed'])
    })

    it('[TK10] import fills an empty workspace in one go: done stays done, claimed comes back open, tokens continue', async () => {
      const base = { description: '', dependsOn: [], createdBy: 'alice', createdAt: 1000 }
      const imported = [
        { ...base, id: 'd', title: 'D', status: 'done' as const, owner: 'bob', fencingToken: 3, result: { n: 1 } },
        { ...base, id: 'c', title: 'C', status: 'claimed' as const, owner: 'carol', fencingToken: 7, dependsOn: ['d'] },
        { ...base, id: 'o', title: 'O', status: 'open' as const, owner: null, fencingToken: 0 },
      ]
      expect(await s.importTasks('w', imported, 'admin')).toBe(true)
      expect(await s.get('w', 'd')).toMatchObject({ status: 'done', owner: 'bob', fencingToken: 3, result: { n: 1 }, createdAt: 1000 })
      expect(await s.get('w', 'c')).toMatchObject({ status: 'open', owner: null, fencingToken: 7, dependsOn: ['d'], leaseExpiresAt: null })
      expect((await claimed(s.claim('w', 'c', 'x', TTL))).fencingToken).toBe(8)
      expect(await s.importTasks('w', [{ ...base, id: 'new', title: 'N', status: 'open', owner: null, fencingToken: 0 }], 'admin')).toBe(false)
      expect(await s.get('w', 'new')).toBeNull()
      const created = await s.claimLog('w', { events: ['created'] })
      expect(created.map((e) => [e.taskId, e.principal, e.detail])).toEqual([
        ['d', 'admin', { imported: true }],
        ['c', 'admin', { imported: true }],
        ['o', 'admin', { imported: true }],
      ])
    })

    it('[TK11] list is in creation order; peek shows the stored row without expiring it', async () => {
      await s.create('w', { id: 'b', title: 'B' }, 'alice')
      fx.advance(1)
      await s.create('w', { id: 'a', title: 'A' }, 'alice')
      expect((await s.list('w')).map((t) => t.id)).toEqual(['b', 'a'])
      await claimed(s.claim('w', 'a', 'x', TTL))
      fx.advance(TTL)
      expect(await s.peek('w', 'a')).toMatchObject({ status: 'claimed', owner: 'x' })
      expect(await s.peek('w', 'zz')).toBeNull()
      expect(await s.claimLog('w', { events: ['expired'] })).toEqual([])
      expect((await s.list('w')).map((t) => t.status)).toEqual(['open', 'open'])
      expect(await s.claimLog('w', { events: ['expired'] })).toHaveLength(1)
    })

    it('[TK12] TTLs are clamped into the store limits', async () => {
      await s.create('w', { id: 't', title: 'T' }, 'alice')
      const lease = await claimed(s.claim('w', 't', 'a', 10 * s.ttl.maxTtlMs))
      expect(lease.ttlMs).toBe(s.ttl.maxTtlMs)
      const renewed = await s.renew('w', 't', 'a', lease.fencingToken, 0)
      expect(renewed).toMatchObject({ ok: true, lease: { ttlMs: s.ttl.minTtlMs } })
    })

    it('[TK13] stored claim counts and per-task flow times give team metrics equal to counting the claim log, for any range and bucket size', async () => {
      await countsMatchRawEntries(fx, 'claims', contractSeed('[TK13]'))
    })

    it('[AR2] stored report sums give team metrics equal to summing the reports, for any range and bucket size', async () => {
      await countsMatchRawEntries(fx, 'reports', contractSeed('[AR2]'))
    })

    it('[AR1] reports are stored per workspace at the store clock and listed by time range, oldest first', async () => {
      const r = fx.reports
      const report = { model: 'm', modelCalls: 2, inputTokens: 10, outputTokens: 5, errors: 1, retries: 3, breaker: null }
      const first = await r.record('w', 'agent-a', report)
      fx.advance(1000)
      const second = await r.record('w', 'agent-b', { ...report, model: null, modelCalls: 1 })
      await r.record('other', 'agent-a', report)
      expect(second - first).toBeGreaterThanOrEqual(1000)
      expect(await r.list('w', 0, Number.MAX_SAFE_INTEGER)).toEqual([
        { principal: 'agent-a', at: first, modelCalls: 2, inputTokens: 10, outputTokens: 5, errors: 1, retries: 3 },
        { principal: 'agent-b', at: second, modelCalls: 1, inputTokens: 10, outputTokens: 5, errors: 1, retries: 3 },
      ])
      expect((await r.list('w', first + 1, second + 1)).map((x) => x.principal)).toEqual(['agent-b'])
      expect(await r.list('w', first, second)).toHaveLength(1)
      expect(await r.list('none', 0, Number.MAX_SAFE_INTEGER)).toEqual([])
    })
  })
}
