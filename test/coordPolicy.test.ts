// [coord] Lease policy: pure functions of (task state, request, now).

import { describe, expect, it } from 'vitest'
import { checkFence, clampTtl, decideClaim, isLeaseExpired, isLeaseLive, isRepeatedCompletion, type LeaseState } from '../shared/coord/index.ts'

const open: LeaseState = { status: 'open', owner: null, leaseExpiresAt: null, fencingToken: 0 }
const held = (owner: string, expiresAt: number, token = 3): LeaseState => ({ status: 'claimed', owner, leaseExpiresAt: expiresAt, fencingToken: token })
const none = () => undefined

describe('lease policy', () => {
  it('a lease is live strictly before its expiry instant', () => {
    expect(isLeaseLive(held('a', 100), 99)).toBe(true)
    expect(isLeaseLive(held('a', 100), 100)).toBe(false)
    expect(isLeaseExpired(held('a', 100), 100)).toBe(true)
    expect(isLeaseExpired(open, 1e12)).toBe(false)
  })

  it('clamps TTLs into the configured bounds', () => {
    const limits = { minTtlMs: 10, maxTtlMs: 1000, defaultTtlMs: 500 }
    expect(clampTtl(undefined, limits)).toBe(500)
    expect(clampTtl(1, limits)).toBe(10)
    expect(clampTtl(1e9, limits)).toBe(1000)
    expect(clampTtl(123.7, limits)).toBe(123)
    expect(clampTtl(Number.NaN, limits)).toBe(500)
  })

  it('an open task is won with the next fencing token', () => {
    expect(decideClaim({ ...open, fencingToken: 7 }, [], none, 'a', 1000, 50)).toEqual({ kind: 'won', fencingToken: 8, expiresAt: 1050 })
  })

  it('a live lease of someone else refuses the claim as a race', () => {
    expect(decideClaim(held('a', 2000), [], none, 'b', 1000, 50)).toEqual({ kind: 'race', holder: 'a', expiresAt: 2000 })
  })

  it('the holder re-claiming gets a fresh lease with a higher token', () => {
    expect(decideClaim(held('a', 2000, 3), [], none, 'a', 1000, 50)).toEqual({ kind: 'won', fencingToken: 4, expiresAt: 1050 })
  })

  it('unfinished or unknown dependencies block; done ones do not', () => {
    const status = (id: string) => ({ x: 'done', y: 'claimed' })[id] as 'done' | 'claimed' | undefined
    expect(decideClaim(open, ['x', 'y', 'z'], status, 'a', 0, 10)).toEqual({ kind: 'blocked', unfinished: ['y', 'z'] })
    expect(decideClaim(open, ['x'], status, 'a', 0, 10).kind).toBe('won')
  })

  it('a done task cannot be claimed', () => {
    expect(decideClaim({ ...open, status: 'done', owner: 'a' }, [], none, 'b', 0, 10)).toEqual({ kind: 'done', owner: 'a' })
  })

  it('only the current token of a live lease from its holder passes the fence', () => {
    const t = held('a', 2000, 5)
    expect(checkFence(t, 'a', 5, 1000)).toEqual({ ok: true })
    expect(checkFence(t, 'a', 4, 1000)).toMatchObject({ ok: false, code: 'stale_fence' })
    expect(checkFence(t, 'a', 6, 1000)).toMatchObject({ ok: false, code: 'stale_fence' })
    expect(checkFence(t, 'a', 5, 2000)).toMatchObject({ ok: false, code: 'stale_fence' })
    expect(checkFence(t, 'b', 5, 1000)).toMatchObject({ ok: false, code: 'not_holder' })
    expect(checkFence({ ...open, fencingToken: 5 }, 'a', 5, 1000)).toMatchObject({ ok: false, code: 'stale_fence' })
  })

  it('recognises a repeated completion by the same holder and token', () => {
    const done: LeaseState = { status: 'done', owner: 'a', leaseExpiresAt: null, fencingToken: 2 }
    expect(isRepeatedCompletion(done, 'a', 2)).toBe(true)
    expect(isRepeatedCompletion(done, 'a', 1)).toBe(false)
    expect(isRepeatedCompletion(done, 'b', 2)).toBe(false)
  })
})
