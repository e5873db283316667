// Acceptance suite for ClientIdStore (server/core/clientIds.ts), clause ids [CIn]. Every backend
// runs it; clauses tagged [multi] need two stores on one database (two instances).

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ClientIdStore } from '../../server/core/clientIds.ts'

export interface ClientIdsFixture {
  store: ClientIdStore
  reopen?: () => Promise<ClientIdStore>
  /** A second instance's store on the same database. */
  second?: () => Promise<ClientIdStore>
  teardown: () => Promise<void>
}

const AT = 1_700_000_000_000

export function runClientIdsContract(name: string, setup: () => Promise<ClientIdsFixture>): void {
  describe(`ClientIdStore contract: ${name}`, () => {
    let fx: ClientIdsFixture
    let store: ClientIdStore
    beforeEach(async () => {
      fx = await setup()
      store = fx.store
    })
    afterEach(async () => {
      await fx.teardown()
    })

    it('[CI1] a claim records its principal for new ids; claiming one’s own ids again is allowed and changes nothing', async () => {
      expect(await store.claim('w1/shared', 'alice', [1, 2], AT)).toBeNull()
      expect(await store.claim('w1/shared', 'alice', [2, 3], AT)).toBeNull()
      expect(await store.claim('w1/shared', 'alice', [], AT)).toBeNull()
      expect(await store.owners('w1/shared')).toEqual(
        new Map([
          [1, 'alice'],
          [2, 'alice'],
          [3, 'alice'],
        ]),
      )
    })

    it('[CI2] an id another principal owns is refused with what to do, and the whole claim records nothing', async () => {
      await store.claim('w1/shared', 'alice', [1], AT)
      expect(await store.claim('w1/shared', 'bob', [5, 1], AT)).toMatch(/client id 1 belongs to another writer: use a new Y.Doc per principal/)
      expect(await store.owners('w1/shared')).toEqual(new Map([[1, 'alice']]))
    })

    it('[CI3] rooms are independent', async () => {
      await store.claim('w1/shared', 'alice', [1], AT)
      expect(await store.claim('w2/shared', 'bob', [1], AT)).toBeNull()
      expect(await store.owners('w2/shared')).toEqual(new Map([[1, 'bob']]))
      expect(await store.owners('w3/shared')).toEqual(new Map())
    })

    it('[CI4] concurrent claims of one id by different principals: exactly one wins', async () => {
      const principals = ['alice', 'bob', 'carol', 'dave']
      const results = await Promise.all(principals.map((p) => store.claim('w1/shared', p, [9], AT)))
      expect(results.filter((r) => r === null)).toHaveLength(1)
      const winner = principals[results.indexOf(null)]
      expect(await store.owners('w1/shared')).toEqual(new Map([[9, winner]]))
    })

    it('[CI5] owners survive a reopen, 32-bit client ids included (persistent backends)', async () => {
      if (!fx.reopen) return expect(fx.reopen).toBeUndefined()
      await store.claim('w1/shared', 'alice', [2 ** 32 - 1], AT)
      const again = await fx.reopen()
      expect(await again.owners('w1/shared')).toEqual(new Map([[2 ** 32 - 1, 'alice']]))
      expect(await again.claim('w1/shared', 'bob', [2 ** 32 - 1], AT)).toMatch(/belongs to another writer/)
    })

    it('[CI6][multi] a client id claimed by alice on instance A is refused to bob on instance B, also when both claim at once', async () => {
      if (!fx.second) return expect(fx.second).toBeUndefined()
      const b = await fx.second()
      expect(await store.claim('w1/shared', 'alice', [1], AT)).toBeNull()
      expect(await b.claim('w1/shared', 'bob', [1], AT)).toMatch(/client id 1 belongs to another writer/)
      expect(await b.claim('w1/shared', 'alice', [1], AT)).toBeNull()
      for (let round = 0; round < 10; round++) {
        const id = 100 + round
        const [onA, onB] = await Promise.all([store.claim('w1/shared', 'alice', [id, id + 50], AT), b.claim('w1/shared', 'bob', [id + 50, id], AT)])
        expect([onA, onB].filter((r) => r === null)).toHaveLength(1)
        const owners = await b.owners('w1/shared')
        expect(owners.get(id)).toBe(owners.get(id + 50))
      }
    })
  })
}
