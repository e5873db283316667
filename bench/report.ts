// Markdown output: the machine, one table of every measurement, and the ratio table
// against the goals of the [bench] issue. Pure apart from machineInfo().

import { cpus, totalmem, type as osType, release } from 'node:os'
import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { TargetKind } from './targets.ts'
import type { Measurements } from './scenarios/context.ts'
import type { FloorResult } from './floor.ts'
import type { BenchOptions, ScenarioName } from './options.ts'

export type Results = Partial<Record<ScenarioName, Partial<Record<TargetKind, Measurements>>>>

interface MetricDef {
  key: string
  label: string
  digits: number
}

const METRICS: Record<ScenarioName, MetricDef[]> = {
  fanout: [
    { key: 'p50Ms', label: 'delivery latency p50 (ms)', digits: 2 },
    { key: 'p95Ms', label: 'delivery latency p95 (ms)', digits: 2 },
    { key: 'p99Ms', label: 'delivery latency p99 (ms)', digits: 2 },
    { key: 'maxMs', label: 'delivery latency max (ms)', digits: 1 },
    { key: 'deliveriesPerS', label: 'deliveries/s', digits: 0 },
    { key: 'delivered', label: 'deliveries received / expected', digits: 3 },
    { key: 'cpuS', label: 'server CPU (s)', digits: 2 },
    { key: 'peakRssMB', label: 'server peak RSS (MB)', digits: 1 },
    { key: 'converged', label: 'converged (1 = yes)', digits: 0 },
  ],
  burst: [
    { key: 'convergeMs', label: 'time until every reader has all (ms)', digits: 0 },
    { key: 'editsPerS', label: 'edits/s to every reader', digits: 0 },
    { key: 'writerAckMs', label: 'writer ack after (ms)', digits: 0 },
    { key: 'firstDeliveryMs', label: 'first delivery after (ms)', digits: 1 },
    { key: 'cpuS', label: 'server CPU (s)', digits: 2 },
    { key: 'peakRssMB', label: 'server peak RSS (MB)', digits: 1 },
    { key: 'converged', label: 'converged (1 = yes)', digits: 0 },
  ],
  manydocs: [
    { key: 'roomsPerS', label: 'rooms/s (connect, sync, one acked edit)', digits: 0 },
    { key: 'connectP50Ms', label: 'connect+sync p50 (ms)', digits: 2 },
    { key: 'connectP99Ms', label: 'connect+sync p99 (ms)', digits: 2 },
    { key: 'editAckP50Ms', label: 'one edit acked p50 (ms)', digits: 2 },
    { key: 'baseRssMB', label: 'server base RSS, before the first client (MB)', digits: 1 },
    { key: 'rssPerRoomKB', label: 'server RSS per idle room (KB)', digits: 1 },
    { key: 'failed', label: 'clients refused or failed', digits: 0 },
    { key: 'cpuS', label: 'server CPU (s)', digits: 2 },
    { key: 'peakRssMB', label: 'server peak RSS (MB)', digits: 1 },
  ],
  coldsync: [
    { key: 'ingestOpsPerS', label: 'ingest (edits/s, acked)', digits: 0 },
    { key: 'ingestCpuS', label: 'server CPU during ingest (s)', digits: 2 },
    { key: 'syncMs', label: 'fresh client sync, server warm (ms, median of 5)', digits: 1 },
    { key: 'syncKB', label: 'fresh client sync, bytes (KB)', digits: 1 },
    { key: 'syncAfterRestartMs', label: 'first client sync after restart, loads from disk (ms)', digits: 1 },
    { key: 'syncAfterRestartMedianMs', label: 'client sync after restart (ms, median of 5)', digits: 1 },
    { key: 'syncAfterRestartKB', label: 'sync after restart, bytes (KB)', digits: 1 },
    { key: 'restartMs', label: 'graceful restart (ms)', digits: 0 },
    { key: 'complete', label: 'fresh clients got every edit (1 = yes)', digits: 0 },
    { key: 'peakRssMB', label: 'server peak RSS (MB)', digits: 1 },
  ],
}

const COLUMNS: TargetKind[] = ['polyphony', 'polyphony-mem', 'reference', 'hocuspocus']

function fmt(v: number | undefined, digits: number): string {
  if (v === undefined || Number.isNaN(v)) return '—'
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

function ratio(a: number | undefined, b: number | undefined): number {
  return a === undefined || b === undefined || !b ? NaN : a / b
}

export function resultsTable(results: Results): string {
  const rows = [
    '| scenario | metric | Polyphony (SQLite) | Polyphony (memory) | reference | Hocuspocus | Polyphony / reference | Polyphony / Hocuspocus |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ]
  for (const [scenario, defs] of Object.entries(METRICS) as Array<[ScenarioName, MetricDef[]]>) {
    const byTarget = results[scenario]
    if (!byTarget) continue
    for (const d of defs) {
      const cells = COLUMNS.map((k) => fmt(byTarget[k]?.[d.key], d.digits))
      const r = ratio(byTarget.polyphony?.[d.key], byTarget.reference?.[d.key])
      const h = ratio(byTarget.polyphony?.[d.key], byTarget.hocuspocus?.[d.key])
      rows.push(`| ${scenario} | ${d.label} | ${cells.join(' | ')} | ${fmt(r, 2)} | ${fmt(h, 2)} |`)
    }
  }
  return rows.join('\n')
}

/**
 * Fanout's latency and CPU beside the reference whose clients send what Polyphony's probes make
 * them send (one sync step 2 per delivery): how much of the gap to the plain reference is that
 * traffic, read by a server that does nothing else with it.
 */
export function answerTrafficTable(results: Results): string {
  const f = results.fanout
  if (!f?.['reference-answers']) return '(fanout did not run on reference-answers)'
  const rows = [
    '| fanout metric | Polyphony (SQLite) | Polyphony (memory) | reference | reference + answer traffic | Polyphony / reference + answer traffic |',
    '|---|--:|--:|--:|--:|--:|',
  ]
  for (const d of METRICS.fanout.filter((m) => ['p50Ms', 'p95Ms', 'p99Ms', 'cpuS', 'deliveriesPerS', 'converged'].includes(m.key))) {
    const cells = (['polyphony', 'polyphony-mem', 'reference', 'reference-answers'] as const).map((k) => fmt(f[k]?.[d.key], d.digits))
    rows.push(`| ${d.label} | ${cells.join(' | ')} | ${fmt(ratio(f.polyphony?.[d.key], f['reference-answers']?.[d.key]), 2)} |`)
  }
  return rows.join('\n')
}

interface Goal {
  what: string
  value: (r: Results) => number
  goal: string
  met: (x: number) => boolean
}

const get = (r: Results, s: ScenarioName, k: TargetKind, key: string) => r[s]?.[k]?.[key]

/** A goal's bound: the text shown and the test it stands for, from one number. */
type Bound = Pick<Goal, 'goal' | 'met'>
const atMost = (n: number): Bound => ({ goal: `≤ ${n.toFixed(1)}`, met: (x) => x <= n })
const atLeast = (n: number): Bound => ({ goal: `≥ ${n.toFixed(1)}`, met: (x) => x >= n })
const reportOnly: Bound = { goal: '(report)', met: () => true }

/** The ratio of two measurements of one scenario (target and metric each), against a bound. */
function goal(what: string, scenario: ScenarioName, [a, keyA]: [TargetKind, string], [b, keyB]: [TargetKind, string], bound: Bound): Goal {
  return { what, value: (r) => ratio(get(r, scenario, a, keyA), get(r, scenario, b, keyB)), ...bound }
}

const GOALS: Goal[] = [
  goal('fanout latency p50, Polyphony / reference', 'fanout', ['polyphony', 'p50Ms'], ['reference', 'p50Ms'], atMost(1.0)),
  goal('fanout latency p99, Polyphony / reference', 'fanout', ['polyphony', 'p99Ms'], ['reference', 'p99Ms'], reportOnly),
  goal('fanout latency p99, Polyphony / Hocuspocus', 'fanout', ['polyphony', 'p99Ms'], ['hocuspocus', 'p99Ms'], atMost(1.0)),
  goal('fanout server CPU (persisting everything), Polyphony / reference', 'fanout', ['polyphony', 'cpuS'], ['reference', 'cpuS'], atMost(1.2)),
  goal('fanout server CPU, Polyphony / Hocuspocus', 'fanout', ['polyphony', 'cpuS'], ['hocuspocus', 'cpuS'], reportOnly),
  goal('fanout latency p50, Polyphony / reference + answer traffic', 'fanout', ['polyphony', 'p50Ms'], ['reference-answers', 'p50Ms'], reportOnly),
  goal('fanout server CPU, Polyphony / reference + answer traffic', 'fanout', ['polyphony', 'cpuS'], ['reference-answers', 'cpuS'], reportOnly),
  goal('burst time-to-converge, Polyphony / reference', 'burst', ['polyphony', 'convergeMs'], ['reference', 'convergeMs'], atMost(0.7)),
  goal('manydocs rooms/s, Polyphony / reference', 'manydocs', ['polyphony', 'roomsPerS'], ['reference', 'roomsPerS'], atLeast(1.0)),
  goal('manydocs connect+sync p99, Polyphony / reference', 'manydocs', ['polyphony', 'connectP99Ms'], ['reference', 'connectP99Ms'], atMost(1.5)),
  goal('manydocs base RSS, Polyphony / reference', 'manydocs', ['polyphony', 'baseRssMB'], ['reference', 'baseRssMB'], atMost(1.5)),
  goal('RSS per idle room, Polyphony / reference', 'manydocs', ['polyphony', 'rssPerRoomKB'], ['reference', 'rssPerRoomKB'], atMost(1.0)),
  goal('coldsync ingest (durable acks), Polyphony / reference', 'coldsync', ['polyphony', 'ingestOpsPerS'], ['reference', 'ingestOpsPerS'], atLeast(1.0)),
  goal('cold sync after restart / reference in-memory sync', 'coldsync', ['polyphony', 'syncAfterRestartMs'], ['reference', 'syncMs'], atMost(2.0)),
  goal('cold sync after restart / Polyphony warm sync', 'coldsync', ['polyphony', 'syncAfterRestartMs'], ['polyphony', 'syncMs'], atMost(2.0)),
  goal('durability cost: fanout p99, SQLite / memory', 'fanout', ['polyphony', 'p99Ms'], ['polyphony-mem', 'p99Ms'], reportOnly),
  goal('durability cost: fanout server CPU, SQLite / memory', 'fanout', ['polyphony', 'cpuS'], ['polyphony-mem', 'cpuS'], reportOnly),
  goal('durability cost: manydocs rooms/s, SQLite / memory', 'manydocs', ['polyphony', 'roomsPerS'], ['polyphony-mem', 'roomsPerS'], reportOnly),
  goal('durability cost: manydocs one edit acked p50, SQLite / memory', 'manydocs', ['polyphony', 'editAckP50Ms'], ['polyphony-mem', 'editAckP50Ms'], reportOnly),
  goal('durability cost: burst time-to-converge, SQLite / memory', 'burst', ['polyphony', 'convergeMs'], ['polyphony-mem', 'convergeMs'], reportOnly),
  goal('durability cost: burst server CPU, SQLite / memory', 'burst', ['polyphony', 'cpuS'], ['polyphony-mem', 'cpuS'], reportOnly),
]

export function ratioTable(results: Results): string {
  const rows = ['| ratio | value | goal | met |', '|---|--:|:-:|:-:|']
  for (const g of GOALS) {
    const v = g.value(results)
    const met = Number.isNaN(v) ? '—' : g.goal === '(report)' ? '' : g.met(v) ? 'yes' : '**no**'
    rows.push(`| ${g.what} | ${fmt(v, 2)} | ${g.goal} | ${met} |`)
  }
  return rows.join('\n')
}

export function floorTable(floor: FloorResult[]): string {
  const rows = ['| workload | updates | Y.applyUpdate (µs/update, best of 3) | encodeStateAsUpdate (ms) | state (KB) |', '|---|--:|--:|--:|--:|']
  for (const f of floor) rows.push(`| ${f.workload} | ${fmt(f.updates, 0)} | ${fmt(f.applyUs, 2)} | ${fmt(f.encodeMs, 2)} | ${fmt(f.stateKB, 1)} |`)
  return rows.join('\n')
}

export function machineInfo(root: string): string {
  const version = (pkg: string) => {
    try {
      return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version
    } catch {
      return '?'
    }
  }
  let commit = '?'
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
  } catch {
    // not a git checkout
  }
  const c = cpus()
  const libs = ['yjs', 'y-protocols', 'ws', '@y/websocket-server', '@hocuspocus/server', 'better-sqlite3', 'hono', 'pino'].map((p) => `${p} ${version(p)}`)
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${osType()} ${release()}, ${c.length} × ${c[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM`,
    `- node ${process.version}; ${libs.join(', ')}`,
    `- polyphony commit ${commit}`,
  ].join('\n')
}

export function describeRun(opts: BenchOptions): string {
  const s = opts.sizes
  return [
    `- sizes${opts.quick ? ' (--quick)' : ''}: fanout ${s.fanout.clients} clients, ${s.fanout.writers} writers × ${s.fanout.rate}/s × ${s.fanout.durationS} s;` +
      ` burst ${s.burst.edits} edits, ${s.burst.readers} readers; manydocs ${s.manydocs.rooms} rooms;` +
      ` coldsync ${s.coldsync.writers} writers × ${s.coldsync.editsPerWriter} edits`,
    `- ${opts.workers} client worker processes; ${opts.reps} run(s) per scenario and target (median), target order alternating`,
  ].join('\n')
}
