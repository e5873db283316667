// CPU time and memory of another process, read from /proc (Linux). The server's own
// process.cpuUsage() is not reachable from outside; utime+stime is the same number.

import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

let ticksPerSecond: number | null = null

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name may contain spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) / clockTicks()
}

export interface Memory {
  /** Resident set size now, bytes. */
  rss: number
  /** Peak resident set size (VmHWM), bytes. */
  peakRss: number
}

export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') }
}

/**
 * The process's main thread (its thread id is its pid) from the scheduler's own counters
 * (/proc/<pid>/task/<pid>/schedstat, ns): time on a CPU, and time runnable but waiting for one
 * (other processes on the machine). Wall time minus both is time asleep: idle, or blocked (fsync).
 */
export function mainThreadMs(pid: number): { onCpu: number; waitingForCpu: number } {
  const [onCpu, waiting] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number)
  return { onCpu: onCpu / 1e6, waitingForCpu: waiting / 1e6 }
}
