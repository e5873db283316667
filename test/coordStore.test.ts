// [coord] TaskStore on SQLite with an injected clock: leases, expiry, fencing, durability.

import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Database } from '../server/db.ts'
import { CoordError, TaskStore } from '../server/coord/index.ts'
import type { ClaimLogEntry } from '../shared/coord/index.ts'

let clock = 1_000_000
const dbs: Database[] = []
const dirs: string[] = []
function store(file = ':memory:', events: ClaimLogEntry[] = []): TaskStore {
  const db = openDatabase(file)
  dbs.push(db)
  return new TaskStore(db, { now: () => clock, onEvents: (e) => events.push(...e), ttl: { minTtlMs: 1 } })
}

afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('TaskStore', () => {
  it('an expired lease returns to the pool on the next access; the old token is refused', () => {
    const events: ClaimLogEntry[] = []
    const s = store(':memory:', events)
    s.create('w', { id: 't', title: 'T' }, 'alice')
    const first = s.claim('w', 't', 'a', 100)
    expect(first).toMatchObject({ ok: true, lease: { owner: 'a', fencingToken: 1, expiresAt: clock + 100 } })
    clock += 99
    expect(s.claim('w', 't', 'b', 100)).toMatchObject({ ok: false, code: 'held', holder: 'a' })
    clock += 1
    expect(s.get('w', 't')).toMatchObject({ status: 'open', owner: null, fencingToken: 1 })
    expect(events.filter((e) => e.event === 'expired')).toMatchObject([{ principal: 'a', fencingToken: 1 }])
    const second = s.claim('w', 't', 'b', 100)
    expect(second).toMatchObject({ ok: true, lease: { owner: 'b', fencingToken: 2 } })
    expect(s.complete('w', 't', 'a', 1, 'late')).toMatchObject({ ok: false, code: 'stale_fence' })
    expect(s.renew('w', 't', 'a', 1)).toMatchObject({ ok: false, code: 'stale_fence' })
    expect(s.complete('w', 't', 'b', 2, { ok: 1 })).toMatchObject({ ok: true, task: { status: 'done', owner: 'b', result: { ok: 1 } } })
    // A retried completion (lost response) is answered again, not refused.
    expect(s.complete('w', 't', 'b', 2, { ok: 1 })).toMatchObject({ ok: true, task: { status: 'done' } })
    expect(s.claim('w', 't', 'c', 100)).toMatchObject({ ok: false, code: 'done' })
  })

  it('the expiry sweep finds every due lease across workspaces', () => {
    const s = store()
    for (const ws of ['w1', 'w2']) s.create(ws, { id: 't', title: 'T' }, 'alice')
    s.claim('w1', 't', 'a', 10)
    s.claim('w2', 't', 'a', 20)
    expect(s.nextExpiry()).toBe(clock + 10)
    clock += 10
    expect(s.expireDue()).toEqual([{ workspace: 'w1', id: 't' }])
    expect(s.nextExpiry()).toBe(clock + 10)
    clock += 10
    expect(s.expireDue()).toEqual([{ workspace: 'w2', id: 't' }])
    expect(s.nextExpiry()).toBeNull()
  })

  it('renew extends from now with the claimed TTL; release returns the task; tokens only grow', () => {
    const s = store()
    s.create('w', { id: 't', title: 'T' }, 'alice')
    const tokens: number[] = []
    let r = s.claim('w', 't', 'a', 100)
    if (!r.ok) throw new Error('claim failed')
    tokens.push(r.lease.fencingToken)
    clock += 60
    expect(s.renew('w', 't', 'a', r.lease.fencingToken)).toMatchObject({ ok: true, lease: { expiresAt: clock + 100, ttlMs: 100 } })
    expect(s.renew('w', 't', 'b', r.lease.fencingToken)).toMatchObject({ ok: false, code: 'not_holder' })
    expect(s.release('w', 't', 'a', r.lease.fencingToken)).toMatchObject({ ok: true, task: { status: 'open', owner: null } })
    expect(s.release('w', 't', 'a', r.lease.fencingToken)).toMatchObject({ ok: false, code: 'stale_fence' })
    for (const who of ['b', 'b', 'c']) {
      r = s.claim('w', 't', who, 50)
      if (!r.ok) throw new Error('claim failed')
      tokens.push(r.lease.fencingToken)
      clock += 50
    }
    expect(tokens).toEqual([1, 2, 3, 4])
  })

  it('fencing tokens and leases survive reopening the database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polyphony-coord-'))
    dirs.push(dir)
    const file = join(dir, 'db.sqlite')
    let s = store(file)
    s.create('w', { id: 't', title: 'T' }, 'alice')
    s.claim('w', 't', 'a', 10)
    clock += 10
    const held = s.claim('w', 't', 'b', 10_000)
    expect(held).toMatchObject({ ok: true, lease: { fencingToken: 2 } })
    dbs.pop()!.close()
    s = store(file)
    expect(s.get('w', 't')).toMatchObject({ status: 'claimed', owner: 'b', fencingToken: 2 })
    expect(s.claim('w', 't', 'a', 10)).toMatchObject({ ok: false, code: 'held', holder: 'b' })
    clock += 10_000
    expect(s.claim('w', 't', 'a', 10)).toMatchObject({ ok: true, lease: { fencingToken: 3 } })
  })

  it('blocks on unfinished dependencies until they are done', () => {
    const s = store()
    s.create('w', { id: 'a', title: 'A' }, 'alice')
    s.create('w', { id: 'b', title: 'B', dependsOn: ['a', 'later'] }, 'alice')
    expect(s.claim('w', 'b', 'x', 100)).toMatchObject({ ok: false, code: 'blocked', unfinished: ['a', 'later'] })
    const a = s.claim('w', 'a', 'x', 100)
    if (!a.ok) throw new Error('claim failed')
    s.complete('w', 'a', 'x', a.lease.fencingToken, null)
    s.create('w', { id: 'later', title: 'L' }, 'alice')
    expect(s.claim('w', 'b', 'x', 100)).toMatchObject({ ok: false, code: 'blocked', unfinished: ['later'] })
  })

  it('create is idempotent for the same fields and refuses different ones', () => {
    const s = store()
    expect(s.create('w', { id: 't', title: 'T', dependsOn: ['u'] }, 'alice').created).toBe(true)
    expect(s.create('w', { id: 't', title: 'T', dependsOn: ['u'] }, 'bob').created).toBe(false)
    expect(() => s.create('w', { id: 't', title: 'Other' }, 'alice')).toThrow(CoordError)
    expect(() => s.create('w', { id: 'x', title: 'X', dependsOn: ['x'] }, 'alice')).toThrow(/itself/)
    expect(() => s.claim('w', 'missing', 'a', 10)).toThrow(/no task missing/)
  })

  it('logs every refused claim as a race with the holder, delivered after commit', () => {
    const events: ClaimLogEntry[] = []
    const s = store(':memory:', events)
    s.create('w', { id: 't', title: 'T' }, 'alice')
    s.claim('w', 't', 'a', 1000)
    clock += 5
    for (const who of ['b', 'c']) s.claim('w', 't', who, 1000)
    const races = s.claimLog('w', { events: ['race'] })
    expect(races.map((r) => [r.principal, r.holder, r.detail?.heldForMs])).toEqual([
      ['b', 'a', 5],
      ['c', 'a', 5],
    ])
    expect(events.filter((e) => e.event === 'race').map((e) => e.seq)).toEqual(races.map((r) => r.seq))
  })
})
