// The cluster bench's Markdown table: one row per metric, one column per instance count, and
// each count's ratio to the first (the baseline). Pure.

import type { Measurements } from '../scenarios/context.ts'
import type { ClusterScenarioName } from './context.ts'

/** scenario → instance count → what it measured. */
export type ClusterResults = Partial<Record<ClusterScenarioName, Record<number, Measurements>>>

const LABELS: Record<ClusterScenarioName, Array<[key: string, label: string]>> = {
  manydocs: [
    ['roomsPerS', 'rooms/s (connect + sync + one acked edit)'],
    ['connectP50Ms', 'connect+sync p50 ms'],
    ['connectP99Ms', 'connect+sync p99 ms'],
    ['editAckP50Ms', 'edit durable ack p50 ms'],
    ['editAckP99Ms', 'edit durable ack p99 ms'],
    ['rssPerRoomKB', 'RSS per room, mean over instances, KB'],
    ['rssPerRoomMaxKB', 'RSS per room, highest instance, KB'],
    ['roomsLoaded', 'rooms loaded (all instances)'],
    ['roomsLost', 'rooms lost by an owner (lease missed)'],
    ['failed', 'clients refused or failed'],
    ['cpuS', 'server CPU s (all instances)'],
    ['pgCpuS', 'PostgreSQL CPU s'],
  ],
  fanout: [
    ['p50Ms', 'delivery p50 ms'],
    ['p95Ms', 'delivery p95 ms'],
    ['p99Ms', 'delivery p99 ms'],
    ['maxMs', 'delivery max ms'],
    ['relayedP50Ms', 'delivery p50 ms, readers on a non-owner (relayed)'],
    ['relayedP99Ms', 'delivery p99 ms, readers on a non-owner (relayed)'],
    ['delivered', 'delivered / expected'],
    ['relayedSockets', 'relayed sockets'],
    ['roomsLost', 'rooms lost by an owner (lease missed)'],
    ['cpuS', 'server CPU s (all instances)'],
    ['pgCpuS', 'PostgreSQL CPU s'],
    ['cpuMsPerEdit', 'server CPU ms per edit sent (instances)'],
    ['idleCpuPerS', 'idle, clients connected: instances CPU s per s'],
    ['idlePgCpuPerS', 'idle, clients connected: PostgreSQL CPU s per s'],
    ['converged', 'converged (1 = yes)'],
  ],
  claims: [
    ['claimsPerS', 'claim+release cycles/s'],
    ['claimP50Ms', 'claim p50 ms'],
    ['claimP99Ms', 'claim p99 ms'],
    ['releaseP50Ms', 'release p50 ms'],
    ['releaseP99Ms', 'release p99 ms'],
    ['errors', 'refused claims or releases'],
    ['cpuS', 'server CPU s (all instances)'],
    ['pgCpuS', 'PostgreSQL CPU s'],
  ],
}

/** Rows whose ratio says nothing (counts, flags). */
const NO_RATIO = new Set(['roomsLoaded', 'roomsLost', 'failed', 'delivered', 'relayedSockets', 'converged', 'errors'])

export const NOT_SHARED = 'not measured: tasks not on Postgres yet (a task created through instance a is not visible through the others)'

export function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—'
  if (Number.isInteger(v)) return String(v)
  const abs = Math.abs(v)
  return abs >= 100 ? v.toFixed(0) : abs >= 10 ? v.toFixed(1) : v.toFixed(2)
}

export function clusterTable(results: ClusterResults, counts: number[]): string {
  const [base, ...rest] = counts
  const head = ['scenario', 'metric', ...counts.map((n) => `N=${n}`), ...rest.map((n) => `N=${n} / N=${base}`)]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`]
  const blank = (label: string) => [label, ...counts.map(() => '—'), ...rest.map(() => '—')]
  for (const [scenario, labels] of Object.entries(LABELS) as Array<[ClusterScenarioName, Array<[string, string]>]>) {
    const byCount = results[scenario]
    if (!byCount) continue
    if (scenario === 'claims' && Object.values(byCount).some((m) => m.shared === 0)) {
      lines.push(`| claims | ${blank(NOT_SHARED).join(' | ')} |`)
      continue
    }
    for (const [key, label] of labels) {
      const values = counts.map((n) => byCount[n]?.[key])
      const ratios = rest.map((n) => (NO_RATIO.has(key) ? undefined : ratio(byCount[n]?.[key], byCount[base]?.[key])))
      lines.push(`| ${scenario} | ${label} | ${values.map(fmt).join(' | ')} | ${ratios.map((r) => (r === undefined ? '—' : `${fmt(r)}×`)).join(' | ')} |`)
    }
  }
  return lines.join('\n')
}

function ratio(value: number | undefined, baseline: number | undefined): number | undefined {
  if (value === undefined || baseline === undefined || Number.isNaN(value) || Number.isNaN(baseline) || baseline === 0) return undefined
  return value / baseline
}
