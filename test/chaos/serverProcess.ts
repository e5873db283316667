// The real server CLI in a child process (`node --import tsx app/serve.ts`), so a scenario
// can SIGKILL it mid-burst and start it again on the same port and data directory.
// (test/helpers/childServer.ts always listens on port 0; a restart here must keep the port,
// since clients reconnect to the address they know.)

import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ADMIN_TOKEN, testBootstrap } from '../helpers/server.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface ServerProcess {
  port: number
  url: string
  wsUrl: string
  dataDir: string
  proc: ChildProcess
  /** Sends `signal` (default SIGKILL) and resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<NodeJS.Signals | number | null>
  /** A new process on the same port and data directory (the old one must be gone). */
  restart(): Promise<ServerProcess>
}

export interface ServerProcessOptions {
  dataDir: string
  /** 0 (default) picks a free port; restart() reuses the one it got. */
  port?: number
  startTimeoutMs?: number
}

export function startServerProcess(opts: ServerProcessOptions): Promise<ServerProcess> {
  const bootstrapFile = join(opts.dataDir, 'bootstrap.json')
  writeFileSync(bootstrapFile, JSON.stringify(testBootstrap()))
  const args = ['--import', 'tsx', 'app/serve.ts', '--port', String(opts.port ?? 0), '--data', opts.dataDir, '--bootstrap', bootstrapFile]
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, POLYPHONY_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)))
  let stderr = ''
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  const timeoutMs = opts.startTimeoutMs ?? 20_000
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`server process did not start within ${timeoutMs} ms\n${stderr}`))
    }, timeoutMs)
    void exited.then((how) => {
      clearTimeout(timer)
      reject(new Error(`server process exited (${how}) before listening\n${stderr}`))
    })
    let pending = ''
    proc.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      let nl: number
      while ((nl = pending.indexOf('\n')) >= 0) {
        const url = listeningUrl(pending.slice(0, nl))
        pending = pending.slice(nl + 1)
        if (!url) continue
        clearTimeout(timer)
        const port = Number(new URL(url).port)
        resolve({
          port,
          url,
          wsUrl: `${url.replace(/^http/, 'ws')}/sync`,
          dataDir: opts.dataDir,
          proc,
          kill: (signal = 'SIGKILL') => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
            return exited
          },
          restart: () => startServerProcess({ ...opts, port }),
        })
      }
    })
  })
}

/** The URL from the pino line `{"msg":"polyphony listening","url":...}`, else null. */
function listeningUrl(line: string): string | null {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown }
    return entry.msg === 'polyphony listening' && typeof entry.url === 'string' ? entry.url : null
  } catch {
    return null
  }
}
