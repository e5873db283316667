// Acceptance suites for the conflict log (server/conflicts/ConflictLog.ts, clause ids [CLn]) and
// client owners (server/conflicts/ClientOwners.ts, [COn]). Every backend runs them; clauses
// tagged [multi] need two stores on one database and run where the fixture provides `second`.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CursorError, listAll, type ConflictLog } from '../../server/conflicts/ConflictLog.ts'
import type { ClientOwners } from '../../server/conflicts/ClientOwners.ts'
import { groupConflictId, PROPOSAL_LIMITS, type ConflictRecord, type ResolutionProposal } from '../../shared/conflicts/index.ts'
import { PAGE_MAX } from '../../shared/api/schemas.ts'

export interface ConflictStoresFixture {
  log: ConflictLog
  owners: ClientOwners
  /** Opens the same data again (persistent backends). */
  reopen?: () => Promise<{ log: ConflictLog; owners: ClientOwners }>
  /** A second instance's stores on the same database (several-instance backends). */
  second?: () => Promise<{ log: ConflictLog; owners: ClientOwners }>
  teardown: () => Promise<void>
}

/** A map-key record in workspace `ws` (room `ws/shared`), document `doc`, between `principals`. */
export function mapRecord(n: number, { ws = 'w1', doc = 'd1', principals = ['alice', 'bob'], at = 1_700_000_000_000 + n } = {}): ConflictRecord {
  const room = `${ws}/shared`
  return {
    id: groupConflictId('map-key-overwrite', room, { n }),
    kind: 'map-key-overwrite',
    doc: room,
    location: { kind: 'map', path: ['titles', doc] },
    parties: principals.map((principal) => ({ principal, value: `${principal}'s ${n}` })),
    status: 'open',
    detectedAt: at,
  }
}

const proposal = (by: string, choice = 'alice'): ResolutionProposal => ({ by, choice, value: `alice's 1`, reasoning: `${by} thinks so`, at: 1_700_000_100_000 })

export function runConflictStoresContract(name: string, setup: () => Promise<ConflictStoresFixture>): void {
  describe(`conflict stores contract: ${name}`, () => {
    let fx: ConflictStoresFixture
    let log: ConflictLog
    let owners: ClientOwners
    beforeEach(async () => {
      fx = await setup()
      log = fx.log
      owners = fx.owners
    })
    afterEach(async () => {
      await fx.teardown()
    })

    it('[CL1] add stores new records and returns them; get reads them back; unknown ids are null', async () => {
      const [a, b] = [mapRecord(1), mapRecord(2)]
      expect(await log.add('w1', [a, b])).toEqual([a, b])
      expect(await log.get(a.id)).toEqual(a)
      expect(await log.get(b.id)).toEqual(b)
      expect(await log.get('c_nope')).toBeNull()
    })

    it('[CL2] the same record added again (another arrival order) is stored once and reported unchanged', async () => {
      const a = mapRecord(1)
      await log.add('w1', [a])
      expect(await log.add('w1', [{ ...a, detectedAt: a.detectedAt + 500 }])).toEqual([])
      expect(await listAll(log, 'w1')).toEqual([a])
    })

    it('[CL3] a party joining an open record updates it: first detection time kept, updatedAt set, proposals kept', async () => {
      const a = mapRecord(1)
      await log.add('w1', [a])
      await log.propose(a.id, proposal('arbiter'))
      const joined = { ...mapRecord(1, { principals: ['alice', 'bob', 'carol'] }), detectedAt: a.detectedAt + 1000 }
      const [updated] = await log.add('w1', [joined])
      expect(updated).toMatchObject({ id: a.id, detectedAt: a.detectedAt, updatedAt: a.detectedAt + 1000, proposals: [proposal('arbiter')] })
      expect(updated.parties.map((p) => p.principal)).toEqual(['alice', 'bob', 'carol'])
      expect(await log.get(a.id)).toEqual(updated)
    })

    it('[CL4] a resolved record is never reopened: a newcomer opens a follow-up with a deterministic id, old parties open nothing', async () => {
      const a = mapRecord(1)
      await log.add('w1', [a])
      await log.resolve(a.id, { by: 'alice', choice: 'alice', value: `alice's 1`, at: 1 })
      expect(await log.add('w1', [a])).toEqual([])
      const [followUp] = await log.add('w1', [mapRecord(1, { principals: ['alice', 'bob', 'carol'] })])
      expect(followUp.id).toBe(groupConflictId('map-key-overwrite', 'w1/shared', { followsUp: a.id, generation: 1 }))
      expect(followUp.status).toBe('open')
      expect((await log.get(a.id))?.status).toBe('resolved')
    })

    it('[CL5] pages are oldest first, continue from their cursor, filter by status and document, and keep workspaces apart', async () => {
      const records = Array.from({ length: 7 }, (_, i) => mapRecord(i, { doc: i % 2 === 0 ? 'even' : 'odd', at: 1_700_000_000_000 + (i % 3) }))
      await log.add('w1', records)
      await log.add('w2', [mapRecord(100, { ws: 'w2' })])
      const order = [...records].sort((x, y) => x.detectedAt - y.detectedAt || (x.id < y.id ? -1 : 1)).map((r) => r.id)
      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const page: Awaited<ReturnType<ConflictLog['page']>> = await log.page('w1', { limit: 3, cursor })
        seen.push(...page.conflicts.map((r) => r.id))
        cursor = page.next
        pages++
      } while (cursor !== null && pages < 10)
      expect(seen).toEqual(order)
      expect(pages).toBe(3)
      await log.resolve(records[0].id, { by: 'alice', choice: 'alice', value: null, at: 1 })
      expect((await listAll(log, 'w1', { status: 'resolved' })).map((r) => r.id)).toEqual([records[0].id])
      expect(await listAll(log, 'w1', { status: 'open' })).toHaveLength(6)
      expect(await listAll(log, 'w1', { status: 'decided' })).toEqual([])
      expect((await listAll(log, 'w1', { doc: 'odd' })).map((r) => r.id).sort()).toEqual(
        records
          .filter((_, i) => i % 2 === 1)
          .map((r) => r.id)
          .sort(),
      )
      expect((await listAll(log, 'w2')).map((r) => r.id)).toEqual([mapRecord(100, { ws: 'w2' }).id])
      expect((await log.page('w1', { limit: PAGE_MAX * 10 })).conflicts).toHaveLength(7)
      await expect(log.page('w1', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(CursorError)
    })

    it('[CL6] proposals: one per proposer (a new one replaces it), bounded per conflict, only while open', async () => {
      const a = mapRecord(1)
      await log.add('w1', [a])
      expect(await log.propose('c_nope', proposal('p0'))).toBe('not_found')
      await log.propose(a.id, proposal('p0', 'alice'))
      const replaced = await log.propose(a.id, proposal('p0', 'bob'))
      expect(typeof replaced !== 'string' && replaced.proposals?.map((p) => [p.by, p.choice])).toEqual([['p0', 'bob']])
      for (let i = 1; i < PROPOSAL_LIMITS.perConflict; i++) await log.propose(a.id, proposal(`p${i}`))
      expect(await log.propose(a.id, proposal('one-too-many'))).toBe('full')
      expect(typeof (await log.propose(a.id, proposal('p1', 'bob')))).toBe('object')
      expect((await log.get(a.id))?.proposals).toHaveLength(PROPOSAL_LIMITS.perConflict)
      await log.resolve(a.id, { by: 'alice', choice: 'alice', value: null, at: 1 })
      expect(await log.propose(a.id, proposal('p2'))).toBe('not_open')
    })

    it('[CL7] resolve succeeds once: concurrent and repeated resolutions get null, unknown ids too', async () => {
      const a = mapRecord(1)
      await log.add('w1', [a])
      const results = await Promise.all(['alice', 'bob', 'carol'].map((by) => log.resolve(a.id, { by, choice: 'alice', value: null, at: 1 })))
      const winners = results.filter((r) => r !== null)
      expect(winners).toHaveLength(1)
      expect(await log.get(a.id)).toEqual(winners[0])
      expect(winners[0]?.status).toBe('resolved')
      expect(await log.resolve(a.id, { by: 'dave', choice: 'bob', value: null, at: 2 })).toBeNull()
      expect(await log.resolve('c_nope', { by: 'dave', choice: 'bob', value: null, at: 2 })).toBeNull()
    })

    it('[CL8] records, proposals and resolutions survive a reopen (persistent backends)', async () => {
      if (!fx.reopen) return expect(fx.reopen).toBeUndefined()
      const [a, b] = [mapRecord(1), mapRecord(2)]
      await log.add('w1', [a, b])
      await log.propose(a.id, proposal('arbiter'))
      await log.resolve(b.id, { by: 'alice', choice: 'bob', value: 1, at: 3 })
      const again = await fx.reopen()
      expect((await again.log.get(a.id))?.proposals).toEqual([proposal('arbiter')])
      expect((await again.log.get(b.id))?.resolution).toEqual({ by: 'alice', choice: 'bob', value: 1, at: 3 })
    })

    it('[CO1] client owners: the first principal recorded for a client id stays; rooms are independent', async () => {
      await owners.add('w1/shared', 1, 'alice')
      await owners.add('w1/shared', 2, 'bob')
      await owners.add('w1/shared', 1, 'mallory')
      await owners.add('w2/shared', 1, 'carol')
      expect(await owners.of('w1/shared')).toEqual(
        new Map([
          [1, 'alice'],
          [2, 'bob'],
        ]),
      )
      expect(await owners.of('w2/shared')).toEqual(new Map([[1, 'carol']]))
      expect(await owners.of('w3/shared')).toEqual(new Map())
    })

    it('[CO2] client owners survive a reopen, large client ids included (persistent backends)', async () => {
      if (!fx.reopen) return expect(fx.reopen).toBeUndefined()
      await owners.add('w1/shared', 2 ** 32 - 1, 'alice')
      const again = await fx.reopen()
      expect(await again.owners.of('w1/shared')).toEqual(new Map([[2 ** 32 - 1, 'alice']]))
    })

    it('[CL9][multi] a record added on one instance is announced to the other by id, never to the writer itself', async () => {
      if (!fx.second) return expect(fx.second).toBeUndefined()
      const b = await fx.second()
      const heardOnB: string[][] = []
      const heardOnA: string[][] = []
      log.onChanged((ids) => heardOnA.push(ids))
      const arrived = new Promise<void>((resolve) => b.log.onChanged((ids) => (heardOnB.push(ids), resolve())))
      const a = mapRecord(1)
      await log.add('w1', [a])
      await arrived
      expect(heardOnB).toEqual([[a.id]])
      expect(await b.log.get(a.id)).toEqual(a)
      // A proposal and a resolution made on B are announced to A.
      const proposed = new Promise<string[]>((resolve) => log.onChanged(resolve))
      await b.log.propose(a.id, proposal('arbiter'))
      expect(await proposed).toEqual([a.id])
      const resolved = new Promise<string[]>((resolve) => log.onChanged(resolve))
      await b.log.resolve(a.id, { by: 'bob', choice: 'bob', value: null, at: 1 })
      expect(await resolved).toEqual([a.id])
      expect(heardOnA).toEqual([[a.id], [a.id]])
    })

    it('[CL10][multi] the same records added on two instances at once are stored once: each reported changed by exactly one', async () => {
      if (!fx.second) return expect(fx.second).toBeUndefined()
      const b = await fx.second()
      const records = Array.from({ length: 20 }, (_, i) => mapRecord(i))
      const reversed = [...records].reverse()
      const [onA, onB] = await Promise.all([log.add('w1', records), b.log.add('w1', reversed)])
      const reported = [...onA, ...onB].map((r) => r.id).sort()
      expect(reported).toEqual(records.map((r) => r.id).sort())
      expect(await listAll(log, 'w1')).toHaveLength(20)
    })

    it('[CO3][multi] an owner recorded on one instance is read by the other', async () => {
      if (!fx.second) return expect(fx.second).toBeUndefined()
      const b = await fx.second()
      await owners.add('w1/shared', 7, 'alice')
      await b.owners.add('w1/shared', 7, 'bob')
      expect(await b.owners.of('w1/shared')).toEqual(new Map([[7, 'alice']]))
    })
  })
}
