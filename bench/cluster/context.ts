// What a cluster scenario gets from the driver, and the spreading rule every scenario uses.

import type { WorkerPool } from '../WorkerPool.ts'
import { cpuSeconds, memory } from '../procStats.ts'
import type { Measurements } from '../scenarios/context.ts'
import type { Instance } from './instances.ts'
import type { ClusterSizes } from './options.ts'
import { pgCpuMeter } from './pgCpu.ts'

export interface ClusterContext {
  pool: WorkerPool
  /** The running instances, all on one fresh database. */
  instances: Instance[]
  /** The PostgreSQL cluster's data directory, to read its CPU time. */
  pgDataDir: string
  sizes: ClusterSizes
  log(message: string): void
}

export type ClusterScenarioName = 'manydocs' | 'fanout' | 'claims'

export interface ClusterScenario {
  name: ClusterScenarioName
  run(ctx: ClusterContext): Promise<Measurements>
}

/** Client `i` lands on instance `i mod N` (what a load balancer without room affinity does). */
export const instanceFor = (i: number, instances: Instance[]): Instance => instances[i % instances.length]

/** CPU seconds of all instances together, of PostgreSQL, and each instance's RSS, from now until stop(). */
export function clusterMeter({ instances, pgDataDir }: ClusterContext): { stop(): { cpuS: number; pgCpuS: number; rssMB: number[]; peakRssMB: number } } {
  const cpu0 = instances.map((i) => cpuSeconds(i.pid))
  const pg = pgCpuMeter(pgDataDir)
  return {
    stop: () => {
      const mem = instances.map((i) => memory(i.pid))
      return {
        cpuS: instances.reduce((sum, inst, k) => sum + cpuSeconds(inst.pid) - cpu0[k], 0),
        pgCpuS: pg.stop(),
        rssMB: mem.map((m) => m.rss / 2 ** 20),
        peakRssMB: Math.max(...mem.map((m) => m.peakRss / 2 ** 20)),
      }
    },
  }
}
