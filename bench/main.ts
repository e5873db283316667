// `npm run bench [-- --quick]`: Polyphony against the reference @y/websocket-server.
// Start here. Each scenario runs once per target on a fresh server process (targets in
// alternating order), driven by client worker processes; the tables go to stdout and to
// bench/results/<date>.md. Progress goes to stderr.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { parseBenchOptions, type BenchOptions, type ScenarioName } from './options.ts'
import { writeBootstrap } from './bootstrap.ts'
import { WorkerPool } from './WorkerPool.ts'
import { ROOT, startTarget, type TargetKind } from './targets.ts'
import type { Measurements, Scenario } from './scenarios/context.ts'
import { fanout } from './scenarios/fanout.ts'
import { burst } from './scenarios/burst.ts'
import { manydocs } from './scenarios/manydocs.ts'
import { coldsync, FRESH_CLIENTS } from './scenarios/coldsync.ts'
import { yjsFloor } from './floor.ts'
import { median } from './stats.ts'
import { answerTrafficTable, describeRun, floorTable, machineInfo, ratioTable, resultsTable, type Results } from './report.ts'
import { profileMarkdown, summarizeProfile } from './profile.ts'
import { clusterArgv } from './cluster/options.ts'
import { clusterMain } from './cluster/run.ts'

const SCENARIOS: Record<ScenarioName, { scenario: Scenario; targets: TargetKind[] }> = {
  fanout: { scenario: fanout, targets: ['reference', 'polyphony', 'hocuspocus', 'polyphony-mem', 'reference-answers'] },
  burst: { scenario: burst, targets: ['reference', 'polyphony', 'hocuspocus', 'polyphony-mem'] },
  manydocs: { scenario: manydocs, targets: ['reference', 'polyphony', 'hocuspocus', 'polyphony-mem'] },
  // Not Hocuspocus: its ingest of 10 × 10,000 edits did not finish within the 120 s ack bound (its 10 × 2,000 does).
  coldsync: { scenario: coldsync, targets: ['reference', 'polyphony'] },
}

const progress = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)

async function runAll(opts: BenchOptions, stamp: string): Promise<{ results: Results; failures: string[]; profiles: string[] }> {
  const s = opts.sizes
  const tmp = mkdtempSync(join(tmpdir(), 'polyphony-bench-'))
  const principals = Math.max(s.manydocs.rooms, s.fanout.clients, s.burst.readers + 1, s.coldsync.writers + 2 * FRESH_CLIENTS)
  const bootstrapFile = writeBootstrap(join(tmp, 'bootstrap.json'), principals, s.manydocs.rooms)
  const pool = await WorkerPool.start(opts.workers)
  const runs: Partial<Record<ScenarioName, Partial<Record<TargetKind, Measurements[]>>>> = {}
  const failures: string[] = []
  const profiles: string[] = []
  try {
    for (const [si, name] of opts.scenarios.entries()) {
      const { scenario, targets } = SCENARIOS[name]
      for (let rep = 0; rep < opts.reps; rep++) {
        const order = (si + rep) % 2 === 0 ? targets : [...targets].reverse()
        for (const kind of order) {
          const label = `${name} on ${kind}${opts.reps > 1 ? ` (run ${rep + 1}/${opts.reps})` : ''}`
          const dataDir = mkdtempSync(join(tmp, 'data-'))
          const profileDir = opts.profile && kind.startsWith('polyphony') ? join(opts.outDir, `prof-${stamp}`, `${name}-${kind}`) : undefined
          progress(`${label}: starting server`)
          try {
            const target = await startTarget({ kind, dataDir, bootstrapFile, profileDir })
            const ctx = { pool, target, sizes: s, log: (m: string) => progress(`${label}: ${m}`) }
            try {
              const m = await scenario.run(ctx)
              ;((runs[name] ??= {})[kind] ??= []).push(m)
              progress(`${label}: done ${JSON.stringify(m, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(4)) : v))}`)
            } finally {
              await ctx.target.stop()
            }
            if (profileDir) profiles.push(...readdirSync(profileDir).map((f) => join(profileDir, f)))
          } catch (err) {
            failures.push(`${label}: ${(err as Error).message}`)
            progress(`${label}: FAILED ${(err as Error).stack}`)
            await pool.each(() => ({ cmd: 'closeAll' })).catch(() => {})
          } finally {
            rmSync(dataDir, { recursive: true, force: true })
          }
        }
      }
    }
  } finally {
    await pool.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
  return { results: aggregate(runs), failures, profiles }
}

/** Median of each metric over the runs of a scenario on a target. */
function aggregate(runs: Partial<Record<ScenarioName, Partial<Record<TargetKind, Measurements[]>>>>): Results {
  const out: Results = {}
  for (const [name, byTarget] of Object.entries(runs) as Array<[ScenarioName, Partial<Record<TargetKind, Measurements[]>>]>) {
    for (const [kind, list] of Object.entries(byTarget) as Array<[TargetKind, Measurements[]]>) {
      const keys = Object.keys(list[0])
      ;(out[name] ??= {})[kind] = Object.fromEntries(keys.map((k) => [k, median(list.map((m) => m[k]))]))
    }
  }
  return out
}

export async function main(argv: string[]): Promise<number> {
  // Several instances on one PostgreSQL is a benchmark of its own (bench/cluster.ts).
  const cluster = clusterArgv(argv)
  if (cluster) return clusterMain(cluster, 'npm run bench -- --only cluster')
  const parsed = parseBenchOptions(argv, join(ROOT, 'bench', 'results'))
  if (!parsed.ok) {
    console.log(parsed.message)
    return parsed.help ? 0 : 2
  }
  const opts = parsed.options
  mkdirSync(opts.outDir, { recursive: true })
  const stamp = new Date().toISOString().replace(/:/g, '-').slice(0, 19)
  progress(`scenarios: ${opts.scenarios.join(', ')}${opts.quick ? ' (quick)' : ''}`)
  const { results, failures, profiles } = await runAll(opts, stamp)
  progress('measuring the in-process Yjs floor')
  const floor = yjsFloor(opts.sizes)
  const sections = [
    `# Polyphony benchmark ${stamp}${opts.quick ? ' (quick)' : ''}`,
    '',
    `Command: \`npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}\``,
    '',
    machineInfo(ROOT),
    describeRun(opts),
    '',
    '## Results',
    '',
    resultsTable(results),
    '',
    '## Ratios',
    '',
    ratioTable(results),
    '',
    '## Fanout beside the reference carrying the same answer traffic',
    '',
    answerTrafficTable(results),
    '',
    '## Yjs floor (in-process, no server)',
    '',
    floorTable(floor),
  ]
  if (failures.length) sections.push('', '## Failures', '', ...failures.map((f) => `- ${f}`))
  if (profiles.length) {
    sections.push('', '## CPU profiles of the Polyphony server', '')
    for (const file of profiles) {
      const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')))
      sections.push(profileMarkdown(relative(ROOT, file), summary), '')
    }
  }
  const report = sections.join('\n') + '\n'
  const file = join(opts.outDir, `${stamp}${opts.quick ? '-quick' : ''}.md`)
  writeFileSync(file, report)
  console.log(report)
  console.log(`Results written to ${relative(process.cwd(), file) || file}`)
  return failures.length ? 1 : 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
