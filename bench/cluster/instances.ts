// N Polyphony instances on one PostgreSQL database, each a child process on loopback started
// as bench/targets.ts starts polyphony (app/serve.ts, the bench bootstrap, default limits) plus
// --database and --instance-id. They share nothing but the database; each advertises its own
// loopback URL, so relayed sockets and forwarded requests stay on 127.0.0.1.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ROOT } from '../targets.ts'

export const ADMIN_TOKEN = 'bench_admin_token_0123456789abcdef'
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 60_000

export interface Instance {
  id: string
  pid: number
  /** http://127.0.0.1:<port> */
  url: string
  /** ws://127.0.0.1:<port>/sync/ — rooms are appended. */
  syncBase: string
  stop(): Promise<void>
}

export interface InstanceSetOptions {
  count: number
  database: string
  bootstrapFile: string
  /** Each instance gets its own (unused by documents, but required) data directory under it. */
  tmpDir: string
}

/** Starts `count` instances one after another (each runs the bootstrap and migrations once it is up). */
export async function startInstances(opts: InstanceSetOptions): Promise<Instance[]> {
  const started: Instance[] = []
  try {
    for (let i = 0; i < opts.count; i++) started.push(await startInstance(opts, String.fromCharCode(97 + i)))
  } catch (err) {
    await stopAll(started)
    throw err
  }
  return started
}

export async function stopAll(instances: Instance[]): Promise<void> {
  await Promise.all(instances.map((i) => i.stop()))
}

async function startInstance(opts: InstanceSetOptions, id: string): Promise<Instance> {
  const dataDir = mkdtempSync(join(opts.tmpDir, `instance-${id}-`))
  const args = ['--import', 'tsx', join(ROOT, 'app', 'serve.ts'), '--port', '0', '--data', dataDir, '--bootstrap', opts.bootstrapFile]
  const child = spawn(process.execPath, [...args, '--database', opts.database, '--instance-id', id], {
    cwd: ROOT,
    env: { ...process.env, POLYPHONY_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await listeningUrl(child, id)
  return {
    id,
    pid: child.pid!,
    url,
    syncBase: `${url.replace(/^http/, 'ws')}/sync/`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    },
  }
}

/** The URL of the `polyphony listening` log line; rejects if the process exits or stays silent. */
function listeningUrl(child: ChildProcess, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Keeps reading stdout after start, so the server never blocks on a full pipe.
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`instance ${id} did not start within ${START_TIMEOUT_MS / 1000} s`))
    }, START_TIMEOUT_MS)
    lines.on('line', (line) => {
      let entry: { msg?: string; url?: string }
      try {
        entry = JSON.parse(line) as typeof entry
      } catch {
        return // not a log entry
      }
      if (entry.msg === 'polyphony listening' && entry.url) {
        clearTimeout(timer)
        resolve(entry.url)
      }
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`instance ${id} exited during start (${code ?? signal}); its stderr is above`))
    })
  })
}

/** A gauge or counter from an instance's /metrics (0 when absent). */
export async function metric(instance: Instance, name: string): Promise<number> {
  const body = await (await fetch(`${instance.url}/metrics`)).text()
  const line = body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
  return line ? Number(line.split(' ').at(-1)) : 0
}
