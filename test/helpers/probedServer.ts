// Starts test/fixtures/probedServer.ts in a child process (with --expose-gc) and asks it for
// its memory: RSS, heap after a full GC and the sync core's internal map sizes.

import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Limits } from '../../server/core/limits.ts'
import type { MemoryProbe } from '../fixtures/probedServer.ts'

const fixture = fileURLToPath(new URL('../fixtures/probedServer.ts', import.meta.url))

export interface ProbedServer {
  url: string
  wsUrl: string
  proc: ChildProcess
  /** Full GC in the child (unless gc is false), then its memory and core map sizes. */
  probe(opts?: { gc?: boolean }): Promise<MemoryProbe>
  close(): Promise<void>
}

export async function startProbedServer(opts: { limits?: Partial<Limits>; bootstrap?: unknown } = {}): Promise<ProbedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'polyphony-probed-'))
  const proc = fork(fixture, [dataDir], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: {
      ...process.env,
      POLYPHONY_TEST_LIMITS: JSON.stringify(opts.limits ?? {}),
      POLYPHONY_TEST_BOOTSTRAP: JSON.stringify(opts.bootstrap ?? null),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('probed server did not start within 20 s')), 20_000)
    proc.on('message', (m: { ready?: string }) => {
      if (m.ready) {
        clearTimeout(timer)
        resolve(m.ready)
      }
    })
    void exited.then(() => reject(new Error('probed server exited before it was ready')))
  })
  let next = 1
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/sync`,
    proc,
    probe: ({ gc = true } = {}) =>
      new Promise((resolve, reject) => {
        const id = next++
        const onMessage = (m: { probe?: number; result?: MemoryProbe }) => {
          if (m.probe !== id || !m.result) return
          proc.off('message', onMessage)
          resolve(m.result)
        }
        proc.on('message', onMessage)
        if (!proc.send({ probe: id, gc })) reject(new Error('probed server is gone'))
      }),
    close: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
