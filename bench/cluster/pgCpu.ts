// CPU seconds of a PostgreSQL cluster: the postmaster and every backend it forked (one per
// pooled connection of each instance, plus its background workers), read from /proc. A backend
// that exits inside the window takes its CPU with it; the instances' pools keep theirs open.

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { cpuSeconds } from '../procStats.ts'

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
}

/** pid → CPU seconds of the postmaster and its children now. */
function clusterCpu(dataDir: string): Map<number, number> {
  const root = postmasterPid(dataDir)
  const out = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (pid === root || ppid === root) out.set(pid, cpuSeconds(pid))
    } catch {
      // exited while we looked
    }
  }
  return out
}

/** PostgreSQL's CPU seconds from now until stop(). */
export function pgCpuMeter(dataDir: string): { stop(): number } {
  const before = clusterCpu(dataDir)
  return {
    stop: () => {
      let sum = 0
      for (const [pid, cpu] of clusterCpu(dataDir)) sum += cpu - (before.get(pid) ?? 0)
      return sum
    },
  }
}
