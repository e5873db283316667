// An A/B of the 1,000-room scenario (bench/scenarios/manydocs.ts) that a shared machine's load
// cannot tilt: the two builds run at the same time, each with its own server and its own client
// workers, so whatever else runs hits both alike; each pair's server CPU ratio is the figure.
// Run (each checkout's dist/ is built first when stale):
//   npx tsx bench/manydocsPaired.ts --a <dir> --b <dir> [--pairs 6] [--rooms 1000]
// `<dir>` is a checkout of Polyphony (e.g. one made with `git worktree add` or `git archive`);
// --b defaults to this one.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { helpIfAsked, wholeArg } from './usage.ts'
import { writeBootstrap } from './bootstrap.ts'
import { ROOT, type RunningTarget, type TargetOptions } from './targets.ts'
import type { WorkerPool } from './WorkerPool.ts'
import type { Measurements, Scenario } from './scenarios/context.ts'
import { median } from './stats.ts'
import { FULL_SIZES } from './options.ts'

const USAGE = `
usage: npx tsx bench/manydocsPaired.ts --a <dir> [--b <dir>] [--pairs 6] [--rooms 1000]
Runs manydocs on two Polyphony checkouts at once, --pairs times (own servers, own client workers),
and prints each pair's server CPU and rooms/s and the medians of the ratios B / A.`

/** One checkout's own bench modules: its server build and its scenario. */
interface Side {
  dir: string
  startTarget: (o: TargetOptions) => Promise<RunningTarget>
  manydocs: Scenario
  pool: WorkerPool
}

async function side(dir: string): Promise<Side> {
  const targets = (await import(join(dir, 'bench', 'targets.ts'))) as { startTarget: Side['startTarget']; ensureServerBuilt: () => void }
  const { manydocs } = (await import(join(dir, 'bench', 'scenarios', 'manydocs.ts'))) as { manydocs: Scenario }
  const { WorkerPool: Pool } = (await import(join(dir, 'bench', 'WorkerPool.ts'))) as { WorkerPool: typeof WorkerPool }
  targets.ensureServerBuilt()
  return { dir, startTarget: targets.startTarget, manydocs, pool: await Pool.start(2) }
}

async function main(): Promise<void> {
  helpIfAsked(USAGE)
  const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, pairs: { type: 'string' }, rooms: { type: 'string' } } })
  if (!values.a) throw new Error('--a <dir> is required: the checkout to compare against; --help shows the usage')
  const pairs = wholeArg('--pairs', values.pairs, 6, 1, 50)
  const rooms = wholeArg('--rooms', values.rooms, 1000, 1, 10_000)
  const tmp = mkdtempSync(join(tmpdir(), 'polyphony-manydocs-paired-'))
  const bootstrapFile = writeBootstrap(join(tmp, 'bootstrap.json'), rooms, rooms)
  const sides: Side[] = []
  const rows: Array<[Measurements, Measurements]> = []
  try {
    for (const dir of [resolve(values.a), resolve(values.b ?? ROOT)]) sides.push(await side(dir))
    const sizes = { ...FULL_SIZES, manydocs: { rooms } }
    for (let p = 0; p < pairs; p++) {
      const targets = await Promise.all(sides.map((s) => s.startTarget({ kind: 'polyphony', dataDir: mkdtempSync(join(tmp, 'data-')), bootstrapFile })))
      try {
        const [a, b] = await Promise.all(sides.map((s, i) => s.manydocs.run({ pool: s.pool, target: targets[i], sizes, log: () => {} })))
        rows.push([a, b])
        console.error(
          `pair ${p + 1}: A ${a.cpuS.toFixed(2)} s ${a.roomsPerS.toFixed(0)} rooms/s | B ${b.cpuS.toFixed(2)} s ${b.roomsPerS.toFixed(0)} rooms/s | CPU B/A ${(b.cpuS / a.cpuS).toFixed(3)}`,
        )
      } finally {
        await Promise.all(targets.map((t) => t.stop()))
      }
    }
  } finally {
    await Promise.all(sides.map((s) => s.pool.stop()))
    rmSync(tmp, { recursive: true, force: true })
  }
  const of = (k: string, i: 0 | 1) => median(rows.map((r) => r[i][k]))
  const ratio = (k: string) => median(rows.map(([a, b]) => b[k] / a[k]))
  console.log(`| manydocs, ${rooms} rooms, ${pairs} pairs run at once (medians) | A | B | B / A per pair |`)
  console.log('|---|--:|--:|--:|')
  console.log(`| server CPU (s) | ${of('cpuS', 0).toFixed(2)} | ${of('cpuS', 1).toFixed(2)} | ${ratio('cpuS').toFixed(3)} |`)
  console.log(`| rooms/s | ${of('roomsPerS', 0).toFixed(0)} | ${of('roomsPerS', 1).toFixed(0)} | ${ratio('roomsPerS').toFixed(3)} |`)
  console.log(`| RSS per idle room (KB) | ${of('rssPerRoomKB', 0).toFixed(1)} | ${of('rssPerRoomKB', 1).toFixed(1)} | ${ratio('rssPerRoomKB').toFixed(3)} |`)
  console.log(`A = ${sides[0]?.dir}, B = ${sides[1]?.dir}`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error((err as Error).message)
    process.exit(1)
  },
)
