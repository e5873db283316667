// The task API (docs/tasks.md) for one workspace, as agents use it: the typed ApiClient's task
// endpoints bound to a workspace, answers unwrapped. Refusals are ApiRequestError with the
// server's code (held | blocked | done | stale_fence | not_holder) and details.

import type { Task } from './types.ts'
import { renewIntervalMs } from './lease.ts'
import type { ApiClient } from '../api/ApiClient.ts'
import { ApiRequestError } from '../api/ApiRequestError.ts'
import type { AgentReportBody, Granted, NewTaskBody, TeamMetricsQuery } from '../api/types.ts'

export type TaskClient = ReturnType<typeof createTaskClient>

export function createTaskClient(api: ApiClient, workspace: string) {
  return {
    list: async (): Promise<Task[]> => (await api.tasks(workspace)).tasks,
    get: async (id: string): Promise<Task> => (await api.task(workspace, id)).task,
    create: (input: NewTaskBody) => api.createTask(workspace, input),
    /** Resolves with the lease, or throws ApiRequestError (409 held | blocked | done). */
    claim: (id: string, ttlMs?: number): Promise<Granted> => api.claim(workspace, id, ttlMs),
    renew: (id: string, fencingToken: number, ttlMs?: number): Promise<Granted> => api.renew(workspace, id, fencingToken, ttlMs),
    release: async (id: string, fencingToken: number): Promise<Task> => (await api.release(workspace, id, fencingToken)).task,
    complete: async (id: string, fencingToken: number, result?: unknown): Promise<Task> => (await api.complete(workspace, id, fencingToken, result)).task,
    /** Model-use deltas since the last report (the per-agent metrics hook). */
    report: async (r: AgentReportBody): Promise<void> => void (await api.reportAgentUse(workspace, r)),
    teamMetrics: (q: TeamMetricsQuery = {}) => api.teamMetrics(workspace, q),
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
      if (err instanceof ApiRequestError && err.status === 409) return end(`${err.code}: ${err.message}`)
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
