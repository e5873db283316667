// What a scenario gets from the driver, and helpers every scenario uses.

import type { WorkerPool } from '../WorkerPool.ts'
import type { RunningTarget } from '../targets.ts'
import type { BenchSizes } from '../options.ts'
import type { ClientSpec, ConnectResult, Digest, Expected, WaitResult, WriterResult } from '../workerProtocol.ts'
import { cpuSeconds, memory } from '../procStats.ts'

/** Named numbers a scenario measured on one target (NaN: not applicable). */
export type Measurements = Record<string, number>

export interface ScenarioContext {
  pool: WorkerPool
  /** The running server; `restart()` replaces it (coldsync). */
  target: RunningTarget
  sizes: BenchSizes
  log(message: string): void
}

export interface Scenario {
  name: string
  run(ctx: ScenarioContext): Promise<Measurements>
}

/** Worker that holds client `i` (round robin). */
export const workerOf = (i: number, pool: WorkerPool): number => i % pool.size

/** Splits specs over the workers by their index in `specs`. */
export function byWorker<T>(items: T[], pool: WorkerPool): T[][] {
  const out: T[][] = Array.from({ length: pool.size }, () => [])
  items.forEach((item, i) => out[workerOf(i, pool)].push(item))
  return out
}

export async function connectAll(pool: WorkerPool, specs: ClientSpec[], concurrency = 10, timeoutMs = 30_000) {
  const parts = byWorker(specs, pool)
  const results = (await pool.each<ConnectResult[]>((w) => (parts[w].length ? { cmd: 'connect', clients: parts[w], concurrency, timeoutMs } : null))).flat()
  const failed = results.filter((r) => !r.ok)
  return { results, failed }
}

export async function waitAll(pool: WorkerPool, expected: Expected, timeoutMs: number): Promise<WaitResult[]> {
  return (await pool.each<WaitResult[]>(() => ({ cmd: 'waitFor', expected, timeoutMs }))).flat()
}

export function expectedOf(writers: WriterResult[]): Expected {
  return Object.fromEntries(writers.map((w) => [w.clientId, w.clock]))
}

/** 1 if every applying client holds the same state and text, else 0. */
export async function converged(pool: WorkerPool): Promise<number> {
  const digests = (await pool.each<Digest[]>(() => ({ cmd: 'digest' }))).flat()
  if (digests.length === 0) return 1
  const first = digests[0]
  return digests.every((d) => d.stateVector === first.stateVector && d.textHash === first.textHash) ? 1 : 0
}

export async function closeAll(pool: WorkerPool): Promise<void> {
  await pool.each(() => ({ cmd: 'closeAll' }))
}

/** Server CPU seconds and peak RSS from now until stop(). */
export function meter(pid: number): { stop(): { cpuS: number; peakRssMB: number; rssMB: number } } {
  const cpu0 = cpuSeconds(pid)
  return {
    stop: () => {
      const m = memory(pid)
      return { cpuS: cpuSeconds(pid) - cpu0, peakRssMB: m.peakRss / 2 ** 20, rssMB: m.rss / 2 ** 20 }
    },
  }
}
