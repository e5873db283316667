// A typed client for the task API (docs/tasks.md), for the agent SDK and the browser. It only
// speaks HTTP (global fetch); refusals become TaskRefused with the server's code and details.

import type { Lease, Task } from './types.ts'
import type { TeamMetrics } from './teamMetrics.ts'
import { renewIntervalMs } from './lease.ts'

export interface TaskClientOptions {
  /** Server origin, e.g. http://127.0.0.1:8080 */
  baseUrl: string
  token: string
  workspace: string
  fetch?: typeof fetch
}

export interface Granted {
  lease: Lease
  fencingToken: number
  expiresAt: number
  task: Task
}

export type RefusalCode = 'held' | 'blocked' | 'done' | 'stale_fence' | 'not_holder' | string

/** A 4xx/5xx answer; `details` carries the extra fields (owner, unfinished, current, ...). */
export class TaskRefused extends Error {
  override readonly name = 'TaskRefused'
  constructor(
    readonly status: number,
    readonly code: RefusalCode,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message)
  }
}

export interface AgentReportBody {
  model?: string
  modelCalls?: number
  inputTokens?: number
  outputTokens?: number
  errors?: number
  retries?: number
  breaker?: 'closed' | 'half-open' | 'open'
  /** Durations of the model calls since the last report, in ms (at most 500). */
  latencyMs?: number[]
}

export type TaskClient = ReturnType<typeof createTaskClient>

export function createTaskClient(opts: TaskClientOptions) {
  const doFetch = opts.fetch ?? fetch
  const base = `${opts.baseUrl.replace(/\/$/, '')}/api/workspaces/${encodeURIComponent(opts.workspace)}`
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await doFetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } & Record<string, unknown> }
    if (!res.ok) {
      const { code = 'http_error', message = `HTTP ${res.status}`, ...details } = json.error ?? {}
      throw new TaskRefused(res.status, code, message, details)
    }
    return json as T
  }
  const task = (id: string) => `/tasks/${encodeURIComponent(id)}`
  return {
    list: async (): Promise<Task[]> => (await call<{ tasks: Task[] }>('GET', '/tasks')).tasks,
    get: async (id: string): Promise<Task> => (await call<{ task: Task }>('GET', task(id))).task,
    create: (input: { id: string; title: string; description?: string; dependsOn?: string[] }) =>
      call<{ task: Task; created: boolean }>('POST', '/tasks', input),
    /** Resolves with the lease, or throws TaskRefused (code held | blocked | done). */
    claim: (id: string, ttlMs?: number) => call<Granted>('POST', `${task(id)}/claim`, ttlMs === undefined ? {} : { ttlMs }),
    renew: (id: string, fencingToken: number, ttlMs?: number) => call<Granted>('POST', `${task(id)}/renew`, { fencingToken, ttlMs }),
    release: async (id: string, fencingToken: number): Promise<Task> =>
      (await call<{ task: Task }>('POST', `${task(id)}/release`, { fencingToken })).task,
    complete: async (id: string, fencingToken: number, result?: unknown): Promise<Task> =>
      (await call<{ task: Task }>('POST', `${task(id)}/complete`, { fencingToken, result })).task,
    /** Model-use deltas since the last report (the per-agent metrics hook). */
    report: async (r: AgentReportBody): Promise<void> => void (await call('POST', '/agent-reports', r)),
    teamMetrics: (q: { since?: number; until?: number; bucketMs?: number; windowMs?: number } = {}) => {
      const qs = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]))
      return call<TeamMetrics>('GET', `/metrics${qs.size ? `?${qs}` : ''}`)
    },
  }
}

export interface KeptLease {
  /** The latest grant (expiresAt moves with each renewal). */
  current(): Granted
  /** Resolves when the lease is lost (refused renewal, or expiry passed without a successful renewal). */
  lost: Promise<{ reason: string }>
  /** Stops renewing (call before complete/release). */
  stop(): void
}

/**
 * Renews `granted` every ttl/3 until stopped. A refused renewal (stale_fence, not_holder) or an
 * expiry that passes while renewals fail (network) ends it: `lost` resolves and the agent must
 * stop acting on the task — its fencing token will be refused anyway.
 */
export function keepLeaseAlive(client: Pick<TaskClient, 'renew'>, granted: Granted): KeptLease {
  let current = granted
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let markLost!: (v: { reason: string }) => void
  const lost = new Promise<{ reason: string }>((resolve) => (markLost = resolve))
  const end = (reason: string) => {
    if (stopped) return
    stopped = true
    if (timer) clearTimeout(timer)
    markLost({ reason })
  }
  const tick = async () => {
    if (stopped) return
    try {
      const next = await client.renew(current.lease.taskId, current.fencingToken)
      if (stopped) return
      current = next
    } catch (err) {
      if (err instanceof TaskRefused && err.status === 409) return end(`${err.code}: ${err.message}`)
      if (Date.now() >= current.expiresAt) return end(`lease expired while renewals failed: ${String(err)}`)
    }
    if (!stopped) timer = setTimeout(tick, renewIntervalMs(current.lease.ttlMs))
  }
  timer = setTimeout(tick, renewIntervalMs(granted.lease.ttlMs))
  return {
    current: () => current,
    lost,
    stop: () => {
      stopped = true
      if (timer) clearTimeout(timer)
    },
  }
}
