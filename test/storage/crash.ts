// Runs test/storage/crash-child.ts against `target` (a SQLite file or a postgres:// URL) and
// kills it with SIGKILL after a random number of acknowledged appends (300–699 of 1000).

import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

export interface Crash {
  /** Appends the child acknowledged before it died. */
  acked: number
  /** The text those appends wrote, in order ("1;2;…"). */
  ackedText: string
}

export async function crashAfterAcks(target: string, label: string): Promise<Crash> {
  const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url))
  const proc = spawn(process.execPath, ['--import', 'tsx', child, target, '1000'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.on('exit', (code, signal) => resolve(signal ?? code)))
  let acked = 0
  let ackedText = ''
  const killAt = 300 + Math.floor(Math.random() * 400)
  for await (const line of createInterface({ input: proc.stdout! })) {
    const m = /^ack (\d+) (\d+)$/.exec(line)
    if (!m) continue
    expect(Number(m[1])).toBe(acked + 1)
    acked = Number(m[1])
    ackedText += `${m[2]};`
    if (acked === killAt) proc.kill('SIGKILL')
  }
  expect(await exited).toBe('SIGKILL')
  console.log(`[${label}] child killed after ${acked} acknowledged appends (target ${killAt})`)
  expect(acked).toBeGreaterThanOrEqual(killAt)
  expect(acked).toBeLessThan(1000)
  return { acked, ackedText }
}
