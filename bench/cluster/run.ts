// The cluster bench driver: one temporary PostgreSQL, and for each instance count N a fresh
// database with N instances on it; each scenario runs on them in turn, clients in worker
// processes. The table goes to stdout and to bench/results/<date>-cluster.md; progress to stderr.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { startPgCluster, createDatabase } from '../../test/helpers/pgCluster.ts'
import { writeBootstrap } from '../bootstrap.ts'
import { machineInfo } from '../report.ts'
import { ROOT } from '../targets.ts'
import { WorkerPool } from '../WorkerPool.ts'
import type { Measurements } from '../scenarios/context.ts'
import { claims } from './claims.ts'
import type { ClusterScenario, ClusterScenarioName } from './context.ts'
import { median } from '../stats.ts'
import { fanoutSpread } from './fanoutSpread.ts'
import { startInstances, stopAll } from './instances.ts'
import { manydocsSpread } from './manydocsSpread.ts'
import { parseClusterOptions, type ClusterOptions } from './options.ts'
import { clusterTable, type ClusterResults } from './table.ts'

const SCENARIOS: ClusterScenario[] = [manydocsSpread, fanoutSpread, claims]

const progress = (msg: string) => process.stderr.write(`[bench cluster ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)

async function runAll(opts: ClusterOptions): Promise<{ results: ClusterResults; failures: string[] }> {
  const s = opts.sizes
  const tmp = mkdtempSync(join(tmpdir(), 'polyphony-bench-cluster-'))
  const principals = Math.max(s.manydocs.rooms, s.fanout.clients, s.claims.claimers)
  const bootstrapFile = writeBootstrap(join(tmp, 'bootstrap.json'), principals, s.manydocs.rooms)
  progress('starting a temporary PostgreSQL')
  const pg = startPgCluster()
  const runs: Partial<Record<ClusterScenarioName, Record<number, Measurements[]>>> = {}
  const failures: string[] = []
  let pool: WorkerPool | null = null
  try {
    pool = await WorkerPool.start(opts.workers)
    for (let rep = 0; rep < opts.reps; rep++) {
      // The order alternates between runs, so a drift of the shared machine's load does not favour one N.
      for (const n of rep % 2 === 0 ? s.instances : [...s.instances].reverse()) {
        const run = opts.reps > 1 ? ` (run ${rep + 1}/${opts.reps})` : ''
        const database = await createDatabase(pg.socketDir, `bench_cluster_${n}_${rep}_${Date.now().toString(36)}`)
        progress(`N=${n}${run}: starting ${n} instance(s) on a fresh database`)
        const instances = await startInstances({ count: n, database, bootstrapFile, tmpDir: tmp })
        try {
          for (const scenario of SCENARIOS) {
            const label = `${scenario.name} on N=${n}${run}`
            try {
              const m: Measurements = await scenario.run({ pool, instances, pgDataDir: pg.dataDir, sizes: s, log: (msg) => progress(`${label}: ${msg}`) })
              ;((runs[scenario.name] ??= {})[n] ??= []).push(m)
              progress(`${label}: done ${JSON.stringify(m, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(4)) : v))}`)
            } catch (err) {
              failures.push(`${label}: ${(err as Error).message}`)
              progress(`${label}: FAILED ${(err as Error).stack}`)
              await pool.each(() => ({ cmd: 'closeAll' })).catch(() => {})
            }
          }
        } finally {
          await stopAll(instances)
        }
      }
    }
  } finally {
    await pool?.stop()
    pg.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
  return { results: medians(runs), failures }
}

/** Nearest-rank median of each metric over the runs of a scenario at an instance count. */
function medians(runs: Partial<Record<ClusterScenarioName, Record<number, Measurements[]>>>): ClusterResults {
  const out: ClusterResults = {}
  for (const [name, byCount] of Object.entries(runs) as Array<[ClusterScenarioName, Record<number, Measurements[]>]>) {
    for (const [n, list] of Object.entries(byCount)) {
      const keys = [...new Set(list.flatMap((m) => Object.keys(m)))]
      ;(out[name] ??= {})[Number(n)] = Object.fromEntries(keys.map((k) => [k, median(list.map((m) => m[k] ?? NaN))]))
    }
  }
  return out
}

export async function clusterMain(argv: string[], command = 'npx tsx bench/cluster.ts'): Promise<number> {
  const parsed = parseClusterOptions(argv, join(ROOT, 'bench', 'results'))
  if (!parsed.ok) {
    console.log(parsed.message)
    return parsed.help ? 0 : 2
  }
  const opts = parsed.options
  const s = opts.sizes
  mkdirSync(opts.outDir, { recursive: true })
  const stamp = new Date().toISOString().replace(/:/g, '-').slice(0, 19)
  const { results, failures } = await runAll(opts)
  const sections = [
    `# Polyphony cluster benchmark ${stamp}${opts.quick ? ' (quick)' : ''}: ${s.instances.join(' vs ')} instances on one PostgreSQL`,
    '',
    `Command: \`${command}${argv.length ? ` ${argv.join(' ')}` : ''}\``,
    '',
    machineInfo(ROOT),
    `- sizes${opts.quick ? ' (--quick)' : ''}: manydocs ${s.manydocs.rooms} rooms; fanout ${s.fanout.clients} clients, ${s.fanout.writers} writers × ${s.fanout.rate}/s × ${s.fanout.durationS} s;` +
      ` claims ${s.claims.claimers} claimers × ${s.claims.durationS} s`,
    `- clients round-robin over the instances, in ${opts.workers} worker processes; one fresh database per instance count and run; ${opts.reps} run(s) each (median), order of N alternating`,
    '',
    clusterTable(results, s.instances),
  ]
  if (failures.length) sections.push('', '## Failures', '', ...failures.map((f) => `- ${f}`))
  const report = sections.join('\n') + '\n'
  const file = join(opts.outDir, `${stamp}-cluster${opts.quick ? '-quick' : ''}.md`)
  writeFileSync(file, report)
  console.log(report)
  console.log(`Results written to ${relative(process.cwd(), file) || file}`)
  return failures.length ? 1 : 0
}
