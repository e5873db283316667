// Command line of `npm run bench` → sizes and switches. Pure.

import { parseArgs } from 'node:util'

export interface BenchSizes {
  fanout: { clients: number; writers: number; rate: number; durationS: number }
  burst: { edits: number; readers: number }
  manydocs: { rooms: number }
  coldsync: { writers: number; editsPerWriter: number }
}

export const SCENARIOS = ['fanout', 'burst', 'manydocs', 'coldsync'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

export interface BenchOptions {
  quick: boolean
  sizes: BenchSizes
  scenarios: ScenarioName[]
  /** Runs of each scenario per target; the order of targets alternates between runs. */
  reps: number
  /** Client worker processes. */
  workers: number
  /** Directory for V8 CPU profiles of the Polyphony server (--profile). */
  profile: boolean
  outDir: string
}

export const FULL_SIZES: BenchSizes = {
  fanout: { clients: 50, writers: 10, rate: 20, durationS: 15 },
  burst: { edits: 10_000, readers: 20 },
  manydocs: { rooms: 1_000 },
  coldsync: { writers: 10, editsPerWriter: 10_000 },
}

export const QUICK_SIZES: BenchSizes = {
  fanout: { clients: 10, writers: 3, rate: 10, durationS: 2 },
  burst: { edits: 1_000, readers: 5 },
  manydocs: { rooms: 50 },
  coldsync: { writers: 2, editsPerWriter: 1_000 },
}

export const BENCH_HELP = `npm run bench -- [options]

  --quick            small sizes (tens of seconds), used by the test suite
  --only a,b         scenarios to run: ${SCENARIOS.join(', ')} (default: all)
  --only cluster     1 vs 2 vs 3 instances on one PostgreSQL instead (--only cluster --help)
  --reps N           runs per scenario and target, order alternating (default 1)
  --workers N        client worker processes (default 2)
  --profile          write V8 CPU profiles of the Polyphony server to <out>/prof-<date>/
  --out DIR          results directory (default bench/results)
  --fanout-clients N --fanout-writers N --fanout-rate N --fanout-seconds N
  --burst-edits N --burst-readers N --rooms N --coldsync-writers N --coldsync-edits N`

export type ParsedOptions = { ok: true; options: BenchOptions } | { ok: false; message: string; help: boolean }

export function parseBenchOptions(argv: string[], defaultOutDir: string): ParsedOptions {
  const int = { type: 'string' } as const
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        reps: int,
        workers: int,
        profile: { type: 'boolean', default: false },
        out: { type: 'string' },
        'fanout-clients': int,
        'fanout-writers': int,
        'fanout-rate': int,
        'fanout-seconds': int,
        'burst-edits': int,
        'burst-readers': int,
        rooms: int,
        'coldsync-writers': int,
        'coldsync-edits': int,
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values
  } catch (err) {
    return { ok: false, message: `${(err as Error).message}\n\n${BENCH_HELP}`, help: false }
  }
  if (values.help) return { ok: false, message: BENCH_HELP, help: true }
  const base = values.quick ? QUICK_SIZES : FULL_SIZES
  const errors: string[] = []
  const num = (name: string, text: string | undefined, fallback: number, min = 1): number => {
    if (text === undefined) return fallback
    const n = Number(text)
    if (!Number.isFinite(n) || n < min) errors.push(`--${name} must be a number ≥ ${min}, got "${text}"`)
    return n
  }
  const sizes: BenchSizes = {
    fanout: {
      clients: num('fanout-clients', values['fanout-clients'], base.fanout.clients, 2),
      writers: num('fanout-writers', values['fanout-writers'], base.fanout.writers),
      rate: num('fanout-rate', values['fanout-rate'], base.fanout.rate),
      durationS: num('fanout-seconds', values['fanout-seconds'], base.fanout.durationS),
    },
    burst: { edits: num('burst-edits', values['burst-edits'], base.burst.edits), readers: num('burst-readers', values['burst-readers'], base.burst.readers) },
    manydocs: { rooms: num('rooms', values.rooms, base.manydocs.rooms) },
    coldsync: {
      writers: num('coldsync-writers', values['coldsync-writers'], base.coldsync.writers),
      editsPerWriter: num('coldsync-edits', values['coldsync-edits'], base.coldsync.editsPerWriter),
    },
  }
  if (sizes.fanout.writers > sizes.fanout.clients) errors.push('--fanout-writers must not exceed --fanout-clients')
  const scenarios = values.only ? values.only.split(',').map((s) => s.trim()) : [...SCENARIOS]
  for (const s of scenarios) if (!(SCENARIOS as readonly string[]).includes(s)) errors.push(`unknown scenario "${s}"`)
  const reps = num('reps', values.reps, 1)
  const workers = num('workers', values.workers, 2)
  if (errors.length) return { ok: false, message: `${errors.join('\n')}\n\n${BENCH_HELP}`, help: false }
  return {
    ok: true,
    options: {
      quick: values.quick ?? false,
      sizes,
      scenarios: scenarios as ScenarioName[],
      reps,
      workers,
      profile: values.profile ?? false,
      outDir: values.out ?? defaultOutDir,
    },
  }
}
