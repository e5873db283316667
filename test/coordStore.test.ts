// [coord] SqliteTaskStore specifics: leases and fencing tokens survive reopening the file. The
// store's behaviour (leases, expiry, fencing, claim log) is the contract in test/coord/contract.ts.

import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate, openDatabase, type Database } from '../server/db.ts'
import { SqliteAgentReportStore, SqliteTaskStore } from '../server/coord/index.ts'
import { COORD_SCHEMA } from '../server/coord/schema.ts'
import { computeTeamMetrics, planActivityRead } from '../shared/coord/index.ts'

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

  it('a database written before stored counts existed gets them from its history on open', async () => {
    const db = openDatabase(':memory:')
    dbs.push(db)
    migrate(db, 'coord/1-init', COORD_SCHEMA)
    const log = db.prepare('INSERT INTO coord_claim_log (workspace, task, principal, event, fencing_token, at) VALUES (?, ?, ?, ?, 1, ?)')
    const events = ['won', 'race', 'renewed', 'expired', 'race', 'completed', 'released', 'stale_fence']
    for (let i = 0; i < 400; i++) log.run('w', `t${i % 7}`, `p${i % 3}`, events[i % events.length], 1_000_000 + i * 733)
    const report = db.prepare(
      'INSERT INTO coord_agent_reports (workspace, principal, at, model_calls, input_tokens, output_tokens, errors, retries) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    for (let i = 0; i < 50; i++) report.run('w', `p${i % 2}`, 1_000_000 + i * 4_999, i % 4, 10, 5, i % 2, 1)
    const tasks = new SqliteTaskStore(db)
    const reports = new SqliteAgentReportStore(db)
    const [since, until, bucketMs] = [1_000_500, 1_300_000, 7_000]
    const plan = planActivityRead(since, until, bucketMs)
    const common = { workspace: 'w', writes: [], since, until, bucketMs, windowMs: 1000 }
    const fromCounts = computeTeamMetrics({ ...common, claims: await tasks.claimActivity('w', plan), reports: await reports.activity('w', plan) })
    const fromEntries = computeTeamMetrics({ ...common, claims: await tasks.claimLog('w'), reports: await reports.list('w', 0, Number.MAX_SAFE_INTEGER) })
    expect(fromCounts.perPrincipal).toEqual(fromEntries.perPrincipal)
    expect(fromCounts.timeline).toEqual(fromEntries.timeline)
    expect(fromCounts.claims.race).toBeGreaterThan(50)
  })
})
