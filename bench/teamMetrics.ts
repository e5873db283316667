// What a team-metrics request costs as the claim log grows: `npx tsx bench/teamMetrics.ts [sizes]`
// (default 1000,100000). For each size, a workspace gets that many claim-log entries (through the
// store: claims, races, renewals, releases, completions, expiries by 5 agents on 20 tasks, spread
// over the last 24 h) plus one agent report per 20 entries; then the request
// (GET /:ws/metrics's teamMetricsFor, documents left out: no rooms) is timed two ways:
//   entries  every claim-log entry and report of the range read and counted (before)
//   counts   stored per-minute/second counts, raw entries only at sub-second bucket ends (now)
// for the browser's hourly buckets and the API's default minute buckets. SQLite (in memory) by
// default; POLYPHONY_DATABASE_URL=postgres://… runs the same on that (empty) Postgres database.
// `--counts-only` times the counts alone (the entries way is still run once, to check the answer):
// at 1,000,000 entries its 15 timed runs would take minutes.

import { openDatabase } from '../server/db.ts'
import { MemoryStorage } from '../server/storage/index.ts'
import { SqliteAgentReportStore, SqliteTaskStore, teamMetricsFor, type AgentReportStore, type TaskStore } from '../server/coord/index.ts'
import { PostgresTaskStore } from '../server/coord/PostgresTaskStore.ts'
import { PostgresAgentReportStore } from '../server/coord/PostgresAgentReportStore.ts'
import { openPostgres, type PgDatabase } from '../server/pg/PgDatabase.ts'
import { computeTeamMetrics, defaultMetricsRange, type Lease } from '../shared/coord/index.ts'

const SIZES = (process.argv[2] ?? '1000,100000').split(',').map(Number)
const COUNTS_ONLY = process.argv.includes('--counts-only')
const DAY = 86_400_000
const RUNS = 15
const database = process.env.POLYPHONY_DATABASE_URL

interface Stores {
  tasks: TaskStore
  reports: AgentReportStore
  advance(ms: number): void
  now(): number
  close(): Promise<void>
}

async function sqliteStores(): Promise<Stores> {
  let clock = Date.now() - DAY
  const db = openDatabase(':memory:')
  const now = () => clock
  return { tasks: new SqliteTaskStore(db, { now }), reports: new SqliteAgentReportStore(db, now), advance: (ms) => void (clock += ms), now, close: async () => void db.close() }
}

async function postgresStores(url: string, ws: string): Promise<Stores> {
  const db: PgDatabase = await openPostgres(url)
  let shift = -DAY
  const clockShiftMs = () => shift
  const tasks = await PostgresTaskStore.open(db, { clockShiftMs })
  const reports = await PostgresAgentReportStore.open(db, { clockShiftMs })
  await db.query('DELETE FROM coord_claim_log WHERE workspace = $1', [ws])
  return { tasks, reports, advance: (ms) => void (shift += ms), now: () => Date.now() + shift, close: () => db.close() }
}

/** `entries` claim-log entries (and entries/20 reports) spread evenly over the last day. */
async function fill(s: Stores, ws: string, entries: number): Promise<number> {
  const agents = ['agent-1', 'agent-2', 'agent-3', 'agent-4', 'agent-5']
  const ids = Array.from({ length: 20 }, (_, i) => `task-${i}`)
  for (const id of ids) await s.tasks.create(ws, { id, title: id }, 'alice')
  const leases = new Map<string, Lease>()
  const step = DAY / entries
  let written = ids.length
  for (let i = 0; written < entries; i++) {
    const id = ids[i % ids.length]
    const who = agents[(i * 7) % agents.length]
    const lease = leases.get(id)
    const kind = i % 10
    if (!lease || kind < 2) {
      const r = await s.tasks.claim(ws, id, who, 30_000)
      if (r.ok) leases.set(id, r.lease)
    } else if (kind < 8) await s.tasks.renew(ws, id, lease.owner, lease.fencingToken)
    else if (kind === 8) {
      await s.tasks.release(ws, id, lease.owner, lease.fencingToken)
      leases.delete(id)
    } else await s.tasks.renew(ws, id, who, lease.fencingToken - 1) // a stale token
    written++
    if (i % 20 === 0) await s.reports.record(ws, who, { model: 'm', modelCalls: 1, inputTokens: 100, outputTokens: 20, errors: 0, retries: 0, breaker: null })
    s.advance(step)
  }
  return (await s.tasks.claimLog(ws)).length
}

/** The request as it was before stored counts: every entry and report of the range read and counted. */
async function byEntries(s: Stores, ws: string, q: { since: number; until: number; bucketMs: number; windowMs: number }) {
  return computeTeamMetrics({
    workspace: ws,
    writes: [],
    claims: await s.tasks.claimLog(ws, { since: q.since, until: q.until }),
    reports: await s.reports.list(ws, q.since, q.until),
    tasks: (await s.tasks.list(ws)).map((t) => ({ id: t.id, dependsOn: t.dependsOn, createdAt: t.createdAt })),
    ...q,
  })
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    await fn()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(RUNS / 2)]
}

const rows: string[] = []
for (const size of SIZES) {
  const ws = `bench${size}`
  const s = database ? await postgresStores(database, ws) : await sqliteStores()
  const filled = performance.now()
  const entries = await fill(s, ws, size)
  const fillS = (performance.now() - filled) / 1000
  const storage = new MemoryStorage()
  for (const bucketMs of [3_600_000, 60_000]) {
    const q = { ...defaultMetricsRange(s.now()), bucketMs, windowMs: 2000 }
    const before = COUNTS_ONLY ? NaN : await median(() => byEntries(s, ws, q))
    const after = await median(() => teamMetricsFor(ws, q, { storage, store: s.tasks, reports: s.reports }, () => true))
    const a = await byEntries(s, ws, q)
    const b = await teamMetricsFor(ws, q, { storage, store: s.tasks, reports: s.reports }, () => true)
    if (JSON.stringify(a.timeline) !== JSON.stringify(b.timeline) || JSON.stringify(a.claims) !== JSON.stringify(b.claims)) throw new Error('counts and entries disagree')
    rows.push(
      `| ${database ? 'Postgres' : 'SQLite'} | ${entries.toLocaleString('en')} | ${bucketMs / 60_000} min | ${COUNTS_ONLY ? '—' : before.toFixed(1)} | ${after.toFixed(1)} | ${COUNTS_ONLY ? '—' : `${(before / after).toFixed(1)}×`} | ${fillS.toFixed(0)} s |`,
    )
  }
  await s.close()
}
console.log('| store | claim-log entries (24 h) | buckets | entries: ms (median) | counts: ms (median) | ratio | fill |')
console.log('|---|---|---|---|---|---|---|')
for (const r of rows) console.log(r)
