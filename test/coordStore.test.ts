// [coord] SqliteTaskStore specifics: leases and fencing tokens survive reopening the file. The
// store's behaviour (leases, expiry, fencing, claim log) is the contract in test/coord/contract.ts.

import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Database } from '../server/db.ts'
import { SqliteTaskStore } from '../server/coord/index.ts'

let clock = 1_000_000
const dbs: Database[] = []
const dirs: string[] = []
function store(file: string): SqliteTaskStore {
  const db = openDatabase(file)
  dbs.push(db)
  return new SqliteTaskStore(db, { now: () => clock, ttl: { minTtlMs: 1 } })
}

afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('SqliteTaskStore', () => {
  it('fencing tokens and leases survive reopening the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polyphony-coord-'))
    dirs.push(dir)
    const file = join(dir, 'db.sqlite')
    let s = store(file)
    await s.create('w', { id: 't', title: 'T' }, 'alice')
    await s.claim('w', 't', 'a', 10)
    clock += 10
    const held = await s.claim('w', 't', 'b', 10_000)
    expect(held).toMatchObject({ ok: true, lease: { fencingToken: 2 } })
    dbs.pop()!.close()
    s = store(file)
    expect(await s.get('w', 't')).toMatchObject({ status: 'claimed', owner: 'b', fencingToken: 2 })
    expect(await s.claim('w', 't', 'a', 10)).toMatchObject({ ok: false, code: 'held', holder: 'b' })
    clock += 10_000
    expect(await s.claim('w', 't', 'a', 10)).toMatchObject({ ok: true, lease: { fencingToken: 3 } })
  })
})
