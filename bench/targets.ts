// The servers under test, each a separate child process on loopback:
//   polyphony      — the compiled `dist/app/serve.js` (as the installed package runs it: no
//                    run-time TypeScript compilation) with auth, a real bootstrap and durable
//                    SQLite; built first when dist/ is missing or older than a source file
//   polyphony-mem  — the same server with `--data :memory:` (what durability costs)
//   reference      — @y/websocket-server 0.1.1, in memory, no auth
//   reference-answers — the same reference server, its clients also sending after each update they
//                    integrate the sync step 2 they would send answering a Polyphony probe (fanout
//                    only): the reference carrying the traffic of Polyphony's proof of what was seen
//   hocuspocus     — @hocuspocus/server 4.7 through bench/hocuspocusServer.mjs, in memory, no auth

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import type { Dialect } from './BenchClient.ts'

export type TargetKind = 'polyphony' | 'polyphony-mem' | 'reference' | 'reference-answers' | 'hocuspocus'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const REFERENCE = join(dirname(createRequire(import.meta.url).resolve('@y/websocket-server/package.json')), 'src', 'server.js')
const HOCUSPOCUS = join(ROOT, 'bench', 'hocuspocusServer.mjs')
const SERVE = join(ROOT, 'dist', 'app', 'serve.js')
const ADMIN_TOKEN = 'bench_admin_token_0123456789abcdef'

export interface TargetOptions {
  kind: TargetKind
  /** SQLite data directory (polyphony only); kept across restart(). */
  dataDir: string
  bootstrapFile: string
  /** Write a V8 CPU profile of the server process into this directory on exit. */
  profileDir?: string
  /** The profile's sampling interval in µs (V8's default: 1,000); a step of a few ms needs ~100. */
  profileIntervalUs?: number
  /** The compiled server to run (polyphony only): default dist/app/serve.js, rebuilt when stale; given, it is run as it is. */
  serveScript?: string
  /** More `polyphony serve` flags (polyphony only), e.g. raised limits. */
  serveFlags?: string[]
}

export interface RunningTarget {
  kind: TargetKind
  pid: number
  /** ws://127.0.0.1:<port>/sync/ — rooms are appended; the reference takes the path as its room name. */
  syncBase: string
  dialect: Dialect
  /** Clients answer every update they integrate as they would a probe (reference-answers). */
  answersUpdates: boolean
  /** Whether the server keeps documents across restart(). */
  durable: boolean
  stop(): Promise<void>
  /** Stops gracefully and starts again on the same data (a new process: new pid). */
  restart(): Promise<RunningTarget>
}

export async function startTarget(opts: TargetOptions): Promise<RunningTarget> {
  const interval = opts.profileIntervalUs ? ['--cpu-prof-interval', String(opts.profileIntervalUs)] : []
  const prof = opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir, ...interval] : []
  let child: ChildProcess
  let ready: Promise<string>
  const reference = opts.kind === 'reference' || opts.kind === 'reference-answers'
  if (reference || opts.kind === 'hocuspocus') {
    const port = await freePort()
    child = spawn(process.execPath, [...prof, reference ? REFERENCE : HOCUSPOCUS], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    ready = waitForLine(child, (line) => (line.includes('running at') ? `ws://127.0.0.1:${port}` : null))
  } else {
    if (opts.serveScript === undefined) ensureServerBuilt()
    const data = opts.kind === 'polyphony-mem' ? ':memory:' : opts.dataDir
    const args = [...prof, opts.serveScript ?? SERVE, '--port', '0', '--data', data, '--bootstrap', opts.bootstrapFile, ...(opts.serveFlags ?? [])]
    child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, POLYPHONY_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    ready = waitForLine(child, (line) => {
      if (!line.startsWith('{')) return null
      const entry = JSON.parse(line) as { msg?: string; url?: string }
      return entry.msg === 'polyphony listening' && entry.url ? entry.url.replace(/^http/, 'ws') : null
    })
  }
  const base = await ready
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    await exited
    clearTimeout(timer)
  }
  return {
    kind: opts.kind,
    pid: child.pid!,
    syncBase: `${base}/sync/`,
    dialect: reference ? 'y-websocket' : opts.kind === 'hocuspocus' ? 'hocuspocus' : 'polyphony',
    answersUpdates: opts.kind === 'reference-answers',
    durable: opts.kind === 'polyphony',
    stop,
    restart: async () => {
      await stop()
      return startTarget(opts)
    },
  }
}

const SOURCE_DIRS = ['app', 'server', 'shared', 'agents']

/** Runs `npm run build:server` unless dist/app/serve.js is newer than every server source file. */
export function ensureServerBuilt(): void {
  const built = existsSync(SERVE) ? statSync(SERVE).mtimeMs : 0
  const stale = SOURCE_DIRS.some((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true }).some(
      (e) => e.isFile() && e.name.endsWith('.ts') && statSync(join(e.parentPath, e.name)).mtimeMs > built,
    ),
  )
  if (!stale) return
  process.stderr.write('[bench] dist/ is missing or older than the sources: npm run build:server\n')
  execFileSync('npm', ['run', 'build:server'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
}

/** Resolves with the first non-null `match` of a stdout line; rejects if the process exits first. */
function waitForLine(child: ChildProcess, match: (line: string) => string | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => reject(new Error('server did not start within 60 s')), 60_000)
    lines.on('line', (line) => {
      const found = match(line)
      if (found) {
        clearTimeout(timer)
        resolve(found)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited during start (code ${code})`))
    })
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}
