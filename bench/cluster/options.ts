// Command line of `npx tsx bench/cluster.ts` (also `npm run bench -- --only cluster`) → sizes. Pure.

import { parseArgs } from 'node:util'

export interface ClusterSizes {
  /** Instance counts to compare, in order; the first is the baseline of the ratios. */
  instances: number[]
  manydocs: { rooms: number }
  fanout: { clients: number; writers: number; rate: number; durationS: number }
  claims: { claimers: number; durationS: number }
}

export interface ClusterOptions {
  quick: boolean
  sizes: ClusterSizes
  /** Runs per instance count; the order of counts alternates between runs; the table shows medians. */
  reps: number
  workers: number
  outDir: string
}

export const CLUSTER_FULL: ClusterSizes = {
  instances: [1, 2, 3],
  manydocs: { rooms: 300 },
  fanout: { clients: 30, writers: 3, rate: 10, durationS: 10 },
  claims: { claimers: 12, durationS: 5 },
}

export const CLUSTER_QUICK: ClusterSizes = {
  instances: [1, 2, 3],
  manydocs: { rooms: 30 },
  fanout: { clients: 9, writers: 3, rate: 5, durationS: 2 },
  claims: { claimers: 6, durationS: 1 },
}

/** Bounds: everything shares one machine with the server processes and PostgreSQL. */
const MAX = { instances: 5, rooms: 2_000, clients: 300, rate: 100, seconds: 120, claimers: 100 }

export const CLUSTER_HELP = `npx tsx bench/cluster.ts [options]   (or: npm run bench -- --only cluster [options])

Starts a temporary PostgreSQL, then for each instance count N a fresh database and N
Polyphony instances on it (child processes on 127.0.0.1), and measures with clients spread
round-robin over the instances:
  manydocs  R rooms, one client and one acknowledged edit each: rooms/s, latencies, RSS per room
  fanout    one room, clients spread (N-1 of N relayed to the owner), paced writers: delivery latency, CPU
  claims    claim+release cycles through the HTTP API from claimers spread over the instances

  --quick                small sizes (well under a minute per instance count)
  --instances 1,2,3      instance counts to compare (1..${MAX.instances}); ratios are to the first
  --rooms N              manydocs rooms (default ${CLUSTER_FULL.manydocs.rooms}, max ${MAX.rooms})
  --fanout-clients N     fanout clients (default ${CLUSTER_FULL.fanout.clients}, max ${MAX.clients})
  --fanout-writers N     of them writing (default ${CLUSTER_FULL.fanout.writers})
  --fanout-rate N        edits per second per writer (default ${CLUSTER_FULL.fanout.rate}, max ${MAX.rate})
  --fanout-seconds N     (default ${CLUSTER_FULL.fanout.durationS}, max ${MAX.seconds})
  --claimers N           concurrent claimers, one task each (default ${CLUSTER_FULL.claims.claimers}, max ${MAX.claimers})
  --claim-seconds N      (default ${CLUSTER_FULL.claims.durationS}, max ${MAX.seconds})
  --reps N               runs per instance count, order alternating; medians shown (default 1, max 5)
  --workers N            client worker processes (default 2)
  --out DIR              results directory (default bench/results)`

export type ParsedClusterOptions = { ok: true; options: ClusterOptions } | { ok: false; message: string; help: boolean }

export function parseClusterOptions(argv: string[], defaultOutDir: string): ParsedClusterOptions {
  const str = { type: 'string' } as const
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        instances: str,
        rooms: str,
        'fanout-clients': str,
        'fanout-writers': str,
        'fanout-rate': str,
        'fanout-seconds': str,
        claimers: str,
        'claim-seconds': str,
        reps: str,
        workers: str,
        out: str,
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values
  } catch (err) {
    return { ok: false, message: `${(err as Error).message}\n\n${CLUSTER_HELP}`, help: false }
  }
  if (values.help) return { ok: false, message: CLUSTER_HELP, help: true }
  const base = values.quick ? CLUSTER_QUICK : CLUSTER_FULL
  const errors: string[] = []
  const int = (name: string, text: string | undefined, fallback: number, min: number, max: number): number => {
    if (text === undefined) return fallback
    const n = Number(text)
    if (!Number.isInteger(n) || n < min || n > max) errors.push(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`)
    return n
  }
  const instances = values.instances === undefined ? base.instances : values.instances.split(',').map((t) => int('instances', t.trim(), 1, 1, MAX.instances))
  const sizes: ClusterSizes = {
    instances,
    manydocs: { rooms: int('rooms', values.rooms, base.manydocs.rooms, 1, MAX.rooms) },
    fanout: {
      clients: int('fanout-clients', values['fanout-clients'], base.fanout.clients, 2, MAX.clients),
      writers: int('fanout-writers', values['fanout-writers'], base.fanout.writers, 1, MAX.clients),
      rate: int('fanout-rate', values['fanout-rate'], base.fanout.rate, 1, MAX.rate),
      durationS: int('fanout-seconds', values['fanout-seconds'], base.fanout.durationS, 1, MAX.seconds),
    },
    claims: {
      claimers: int('claimers', values.claimers, base.claims.claimers, 1, MAX.claimers),
      durationS: int('claim-seconds', values['claim-seconds'], base.claims.durationS, 1, MAX.seconds),
    },
  }
  if (sizes.fanout.writers > sizes.fanout.clients) errors.push('--fanout-writers must not exceed --fanout-clients')
  if (new Set(instances).size !== instances.length) errors.push('--instances must not repeat a count, e.g. 1,2,3')
  const reps = int('reps', values.reps, 1, 1, 5)
  const workers = int('workers', values.workers, 2, 1, 16)
  if (errors.length) return { ok: false, message: `${errors.join('\n')}\n\n${CLUSTER_HELP}`, help: false }
  return { ok: true, options: { quick: values.quick ?? false, sizes, reps, workers, outDir: values.out ?? defaultOutDir } }
}

/**
 * `npm run bench -- --only cluster [...]` → the arguments for the cluster bench, or null when
 * the run is not the cluster bench. `cluster` runs alone: it needs PostgreSQL and its own servers.
 */
export function clusterArgv(argv: string[]): string[] | null {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only' && argv[i + 1] === 'cluster') return [...argv.slice(0, i), ...argv.slice(i + 2)]
    if (argv[i] === '--only=cluster') return [...argv.slice(0, i), ...argv.slice(i + 1)]
  }
  return null
}
