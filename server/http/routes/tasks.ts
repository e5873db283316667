// HTTP API of the coordination layer (server/coord), mounted under /api/workspaces (see docs/tasks.md):
//   GET  /:ws/tasks                      every task (members)
//   POST /:ws/tasks                      create { id, title, description?, dependsOn? } (owners, editors)
//   GET  /:ws/tasks/:id                  one task (members)
//   POST /:ws/tasks/:id/claim            { ttlMs? } → { lease, fencingToken, expiresAt, task }
//   POST /:ws/tasks/:id/renew            { fencingToken, ttlMs? } → same shape as claim
//   POST /:ws/tasks/:id/release          { fencingToken } → { task }
//   POST /:ws/tasks/:id/complete         { fencingToken, result? } → { task }
//   GET  /:ws/metrics                    team metrics over the rooms the caller may read (members)
//   POST /:ws/agent-reports              an agent's model-use deltas (members)
// Refusals are 409 { error: { code: held | blocked | done | stale_fence | not_holder, message, ... } }.

import { Hono, type Context } from 'hono'
import type { ApiEnv } from '../env.ts'
import type { Registry } from '../../registry/index.ts'
import type { DocumentStorage } from '../../storage/index.ts'
import type { ServerMetrics } from '../../metrics.ts'
import { member } from '../member.ts'
import { jsonBody, queryOf } from '../validate.ts'
import { DomainError, badRequest, forbidden, notFound } from '../../errors.ts'
import { AgentReportBody, ClaimBody, CompleteBody, FenceBody, NewTaskBody, RenewBody, TeamMetricsQuery } from '../../../shared/api/schemas.ts'
import type { AgentReported, Granted, TaskAnswer, TaskCreated, TaskList } from '../../../shared/api/types.ts'
import { mayEditShared, mayRead } from '../../../shared/access.ts'
import { parseRoom } from '../../../shared/rooms.ts'
import { defaultMetricsRange } from '../../../shared/coord/index.ts'
import type { Principal } from '../../../shared/model.ts'
import { teamMetricsFor, type AgentReports, type ClaimResult, type Coordinator, type FencedResult } from '../../coord/index.ts'

export interface TaskRouteDeps {
  registry: Registry
  coord: Coordinator
  reports: AgentReports
  storage: DocumentStorage
  metrics: ServerMetrics
  now?: () => number
  /** Adds the review's one-reading-vs-several summary to team metrics ([review]). */
  readings?: (workspace: string, viewer: Principal) => Promise<unknown>
}

const MAX_RESULT_BYTES = 64 * 1024

export function taskRoutes(deps: TaskRouteDeps): Hono<ApiEnv> {
  const { registry, coord, metrics } = deps
  const store = coord.store
  const now = deps.now ?? Date.now
  const app = new Hono<ApiEnv>()

  /** Members read (member() on every route); owners and editors change the board (mayEditShared: the same writers as shared documents). */
  const inWorkspace = member(registry)
  const writer = (c: Context<ApiEnv>, op: string): { ws: string; principal: Principal } => {
    const { principal, workspace, role } = c.var
    if (!mayEditShared(role)) {
      metrics.taskOperations.inc({ op, result: 'forbidden' })
      throw forbidden(`role ${role ?? 'non-member'} may not ${op} tasks: only owners and editors change the board`)
    }
    return { ws: workspace.id, principal }
  }

  app.get('/:ws/tasks', inWorkspace, async (c) => c.json({ tasks: await store.list(c.var.workspace.id) } satisfies TaskList))

  app.get('/:ws/tasks/:id', inWorkspace, async (c) => {
    const task = await store.get(c.var.workspace.id, c.req.param('id'))
    if (!task) throw notFound(`no task ${c.req.param('id')} in ${c.var.workspace.id}: GET .../tasks lists them`)
    return c.json({ task } satisfies TaskAnswer)
  })

  app.post('/:ws/tasks', inWorkspace, async (c) => {
    const { ws, principal } = writer(c, 'create')
    const input = await jsonBody(c, NewTaskBody)
    const { task, created } = await store.create(ws, input, principal.id)
    metrics.taskOperations.inc({ op: 'create', result: created ? 'ok' : 'exists_same' })
    await coord.settled(ws, task.id)
    return c.json({ task, created } satisfies TaskCreated, created ? 201 : 200)
  })

  app.post('/:ws/tasks/:id/claim', inWorkspace, async (c) => {
    const { ws, principal } = writer(c, 'claim')
    const { ttlMs } = await jsonBody(c, ClaimBody, { ifEmpty: {} })
    const r = await store.claim(ws, c.req.param('id'), principal.id, ttlMs)
    metrics.taskOperations.inc({ op: 'claim', result: r.ok ? 'ok' : r.code })
    c.get('log').info({ workspace: ws, task: c.req.param('id'), result: r.ok ? 'won' : r.code, fencingToken: r.ok ? r.lease.fencingToken : undefined }, 'task claim')
    if (!r.ok) throw claimRefused(r)
    await coord.settled(ws, r.task.id)
    return c.json({ lease: r.lease, fencingToken: r.lease.fencingToken, expiresAt: r.lease.expiresAt, task: r.task } satisfies Granted)
  })

  /** After the store answered a fenced operation: count it, log it, refuse (409) or wait until the board shows it. */
  const settleFenced = async (c: Context<ApiEnv>, op: 'renew' | 'release' | 'complete', ws: string, fencingToken: number, r: FencedResult) => {
    metrics.taskOperations.inc({ op, result: r.ok ? 'ok' : r.code })
    // Renewals are periodic, one per holder and interval: debug, not info.
    c.get('log')[op === 'renew' ? 'debug' : 'info']({ workspace: ws, task: c.req.param('id'), result: r.ok ? 'ok' : r.code, fencingToken }, `task ${op}`)
    if (!r.ok) throw fenceRefused(r)
    await coord.settled(ws, r.task.id)
    return r
  }

  app.post('/:ws/tasks/:id/renew', inWorkspace, async (c) => {
    const { ws, principal } = writer(c, 'renew')
    const { fencingToken, ttlMs } = await jsonBody(c, RenewBody)
    const r = await settleFenced(c, 'renew', ws, fencingToken, await store.renew(ws, c.req.param('id'), principal.id, fencingToken, ttlMs))
    const lease = r.lease!
    return c.json({ lease, fencingToken: lease.fencingToken, expiresAt: lease.expiresAt, task: r.task } satisfies Granted)
  })

  app.post('/:ws/tasks/:id/release', inWorkspace, async (c) => {
    const { ws, principal } = writer(c, 'release')
    const { fencingToken } = await jsonBody(c, FenceBody)
    const r = await settleFenced(c, 'release', ws, fencingToken, await store.release(ws, c.req.param('id'), principal.id, fencingToken))
    return c.json({ task: r.task } satisfies TaskAnswer)
  })

  app.post('/:ws/tasks/:id/complete', inWorkspace, async (c) => {
    const { ws, principal } = writer(c, 'complete')
    const { fencingToken, result } = await jsonBody(c, CompleteBody)
    if (JSON.stringify(result ?? null).length > MAX_RESULT_BYTES)
      throw badRequest(`result must be at most ${MAX_RESULT_BYTES} bytes of JSON: store a larger result in a document and put its id here`)
    const r = await settleFenced(c, 'complete', ws, fencingToken, await store.complete(ws, c.req.param('id'), principal.id, fencingToken, result ?? null))
    return c.json({ task: r.task } satisfies TaskAnswer)
  })

  app.get('/:ws/metrics', inWorkspace, async (c) => {
    const ws = c.var.workspace.id
    const q = queryOf(c, TeamMetricsQuery)
    const until = q.until ?? defaultMetricsRange(now()).until
    const since = q.since ?? until - 86_400_000
    if (since >= until) throw badRequest('since must be before until: swap them, or leave one out')
    if ((until - since) / q.bucketMs > 10_000) throw badRequest('at most 10000 buckets: raise bucketMs or narrow the range')
    const viewer = c.get('principal').id
    const readable = (room: string) => {
      const ref = parseRoom(room)
      return ref !== null && mayRead(registry, viewer, ref)
    }
    const team = await teamMetricsFor(ws, { since, until, bucketMs: q.bucketMs, windowMs: q.windowMs }, { storage: deps.storage, store, reports: deps.reports.store }, readable)
    return c.json(deps.readings ? { ...team, readings: await deps.readings(ws, c.get('principal')) } : team)
  })

  app.post('/:ws/agent-reports', inWorkspace, async (c) => {
    const ws = c.var.workspace.id
    const report = await jsonBody(c, AgentReportBody)
    await deps.reports.record(ws, c.get('principal').id, report)
    return c.json({ recorded: true } satisfies AgentReported)
  })

  return app
}

/** A lost claim is a result of the store; over HTTP it is a 409 naming what stands in the way. */
function claimRefused(r: Extract<ClaimResult, { ok: false }>): DomainError {
  switch (r.code) {
    case 'held':
      return new DomainError('conflict', 'held', `task ${r.task.id} is held by ${r.holder}`, { owner: r.holder, expiresAt: r.expiresAt })
    case 'blocked':
      return new DomainError('conflict', 'blocked', `task ${r.task.id} waits for ${r.unfinished.join(', ')}`, { unfinished: r.unfinished })
    case 'done':
      return new DomainError('conflict', 'done', `task ${r.task.id} is already done`, { owner: r.task.owner })
  }
}

function fenceRefused(r: Extract<FencedResult, { ok: false }>): DomainError {
  const current = { status: r.task.status, owner: r.task.owner, leaseExpiresAt: r.task.leaseExpiresAt }
  return new DomainError('conflict', r.code, r.reason, { current })
}
