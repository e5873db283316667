// A Polyphony server in a child process (`node --import tsx app/serve.ts`), for tests
// that kill it (-9) or signal it (SIGTERM) and restart it on the same data directory.

import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ADMIN_TOKEN, testBootstrap } from './server.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface ChildServer {
  url: string
  wsUrl: string
  proc: ChildProcess
  /** Every log line the server wrote (pino JSON, parsed when possible). */
  logs: Array<Record<string, unknown>>
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface ChildServerOptions {
  dataDir: string
  /** Bootstrap document; default the test cast (test/helpers/server.ts). */
  bootstrap?: unknown
  env?: Record<string, string>
  /** Extra command-line flags (e.g. --demo). */
  args?: string[]
  startTimeoutMs?: number
}

/** Starts the server and resolves once its `polyphony listening` log line names the URL. */
export function startChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  const bootstrapFile = join(opts.dataDir, 'bootstrap.json')
  writeFileSync(bootstrapFile, JSON.stringify(opts.bootstrap ?? testBootstrap()))
  const proc = spawn(process.execPath, ['--import', 'tsx', 'app/serve.ts', '--port', '0', '--data', opts.dataDir, '--bootstrap', bootstrapFile, ...(opts.args ?? [])], {
    cwd: root,
    env: { ...process.env, POLYPHONY_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: ChildServer['logs'] = []
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })))
  let stderr = ''
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`child server did not start within ${opts.startTimeoutMs ?? 20_000} ms\n${stderr}`))
    }, opts.startTimeoutMs ?? 20_000)
    let buffered = ''
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        let entry: Record<string, unknown>
        try {
          entry = JSON.parse(line) as Record<string, unknown>
        } catch {
          entry = { msg: line }
        }
        logs.push(entry)
        if (entry.msg === 'polyphony listening' && typeof entry.url === 'string') {
          clearTimeout(timer)
          const url = entry.url
          resolve({
            url,
            wsUrl: `${url.replace(/^http/, 'ws')}/sync`,
            proc,
            logs,
            exited,
            kill: (signal = 'SIGKILL') => {
              if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
              return exited
            },
          })
        }
      }
    })
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`child server exited (${code ?? signal}) before listening\n${stderr}`))
    })
  })
}
