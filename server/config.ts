// Command-line flags and environment → server options. Pure: takes argv and env, returns
// options, or the help text, or an error that says how to fix the call.

import { parseArgs } from 'node:util'
import type { Limits } from './core/limits.ts'
import type { HttpLimits } from './http/limits.ts'
import { LIMITS_HELP, LIMIT_FLAG_OPTIONS, parseLimits } from './limitsConfig.ts'
import { databaseUrlProblem } from './pg/databaseUrl.ts'
import { instanceIdProblem } from './cluster/instanceId.ts'

export const SERVER_HELP = `polyphony serve — the Polyphony sync and API server

Usage: polyphony serve [options]

Options (environment variable in brackets):
  --port N          port to listen on (default 8080)                     [PORT]
  --host ADDR       address to bind (default 127.0.0.1)                  [HOST]
  --data DIR        data directory holding polyphony.db (default ./data)  [POLYPHONY_DATA]
  --bootstrap FILE  JSON principals/workspaces applied at start           [POLYPHONY_BOOTSTRAP]
  --database URL    postgres://… : every store in PostgreSQL (several servers may share it),
                    each room owned by one instance at a time             [POLYPHONY_DATABASE_URL]
  --instance-id ID  this instance's name in Postgres and logs
                    (default <hostname>-<pid>-<random>)                   [POLYPHONY_INSTANCE_ID]
  --advertise-url URL  where the other instances reach this one (relayed sockets and
                    forwarded requests; default http://<host>:<port>)      [POLYPHONY_ADVERTISE_URL]
  --lease-ms MS     with --database: how long an instance holds its rooms without a heartbeat;
                    a failed instance's rooms move after it (30–600000, default 5000) [POLYPHONY_LEASE_MS]
  --demo            create the demo workspace, its tokens and agents, print them
  --no-agents       with --demo: do not run the built-in offline reviewers
  --allow-demo-on-network
                    with --demo: allow a non-loopback --host (the demo prints its tokens)
  --log-level L     trace|debug|info|warn|error (default info)           [LOG_LEVEL]
  -h, --help        show this help

The administrator token comes from POLYPHONY_ADMIN_TOKEN; without it no admin exists
except in --demo mode, which generates one and prints it. Demo tokens work only in --demo
mode: a later start without --demo on the same data directory disables them.

${LIMITS_HELP}`

export interface ServerConfig {
  port: number
  host: string
  dataDir: string
  bootstrapFile?: string
  /** PostgreSQL URL: documents go to Postgres (server/storage/PostgresStorage.ts). */
  database?: string
  instanceId?: string
  /** Room ownership with --database: lease length, advertised URL. */
  cluster: { leaseMs?: number; advertiseUrl?: string }
  adminToken?: string
  demo: boolean
  /** --demo on a non-loopback address was asked for explicitly. */
  allowDemoOnNetwork: boolean
  agents: boolean
  logLevel: string
  /** Operational limits set by flags or environment (server/limitsConfig.ts). */
  limits: Partial<Limits>
  httpLimits: Partial<HttpLimits>
}

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; help: true } | { ok: false; help: false; error: string }

export function parseServerConfig(argv: string[], env: Record<string, string | undefined>): ConfigResult {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        bootstrap: { type: 'string' },
        database: { type: 'string' },
        'instance-id': { type: 'string' },
        'advertise-url': { type: 'string' },
        'lease-ms': { type: 'string' },
        demo: { type: 'boolean', default: false },
        'no-agents': { type: 'boolean', default: false },
        'allow-demo-on-network': { type: 'boolean', default: false },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        ...LIMIT_FLAG_OPTIONS,
      },
      strict: true,
    }).values
  } catch (err) {
    return { ok: false, help: false, error: `${(err as Error).message}\nRun with --help for the options.` }
  }
  if (values.help) return { ok: false, help: true }
  const portText = values.port ?? env.PORT ?? '8080'
  const port = Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return { ok: false, help: false, error: `--port must be a number from 0 to 65535, got "${portText}"` }
  }
  const host = values.host ?? env.HOST ?? '127.0.0.1'
  const allowDemoOnNetwork = values['allow-demo-on-network'] ?? false
  if (values.demo && !isLoopback(host) && !allowDemoOnNetwork) {
    return {
      ok: false,
      help: false,
      error: `--demo prints its tokens (admin included) and must stay local: drop --host ${host} (the default is 127.0.0.1), or add --allow-demo-on-network if you really mean to expose it`,
    }
  }
  const database = values.database ?? (env.POLYPHONY_DATABASE_URL || undefined)
  const databaseProblem = database === undefined ? null : databaseUrlProblem(database)
  if (databaseProblem) return { ok: false, help: false, error: databaseProblem }
  const instanceId = values['instance-id'] ?? (env.POLYPHONY_INSTANCE_ID || undefined)
  const instanceProblem = instanceId === undefined ? null : instanceIdProblem(instanceId)
  if (instanceProblem) return { ok: false, help: false, error: instanceProblem }
  const cluster = parseClusterFlags(values['advertise-url'] ?? (env.POLYPHONY_ADVERTISE_URL || undefined), values['lease-ms'] ?? (env.POLYPHONY_LEASE_MS || undefined))
  if ('error' in cluster) return { ok: false, help: false, error: cluster.error }
  const limits = parseLimits(values, env)
  if (!limits.ok) return { ok: false, help: false, error: `${limits.error}\nRun with --help for the limits and their ranges.` }
  return {
    ok: true,
    config: {
      port,
      host,
      dataDir: values.data ?? env.POLYPHONY_DATA ?? 'data',
      bootstrapFile: values.bootstrap ?? env.POLYPHONY_BOOTSTRAP,
      database,
      instanceId,
      cluster,
      adminToken: env.POLYPHONY_ADMIN_TOKEN || undefined,
      demo: values.demo ?? false,
      allowDemoOnNetwork,
      agents: !values['no-agents'],
      logLevel: values['log-level'] ?? env.LOG_LEVEL ?? 'info',
      limits: limits.limits,
      httpLimits: limits.httpLimits,
    },
  }
}

/** Whether `host` binds only the local machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

function parseClusterFlags(advertiseUrl: string | undefined, leaseMs: string | undefined): { leaseMs?: number; advertiseUrl?: string } | { error: string } {
  const out: { leaseMs?: number; advertiseUrl?: string } = {}
  if (advertiseUrl !== undefined) {
    let url: URL | null = null
    try {
      url = new URL(advertiseUrl)
    } catch {
      url = null
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      return { error: `--advertise-url must be an http(s) URL such as http://10.0.0.11:8080, got "${advertiseUrl.slice(0, 80)}"` }
    out.advertiseUrl = url.origin
  }
  if (leaseMs !== undefined) {
    const n = Number(leaseMs)
    if (!Number.isSafeInteger(n) || n < 30 || n > 600_000) return { error: `--lease-ms must be an integer from 30 to 600000 (milliseconds), got "${leaseMs.slice(0, 40)}"` }
    out.leaseMs = n
  }
  return out
}
