// Team metrics: a pure function of the attribution log (who wrote which document when),
// the claim log and agents' self-reports. GET /api/workspaces/:ws/metrics serves its result.
//
// Definitions (arrival-time based; the [review] conflict detector judges causality):
// - concurrent write: an update to a document arriving within `windowMs` after an update to
//   the same document by a *different* principal. The server principal is left out.
// - stretch: a maximal run of updates to one document whose consecutive gaps are <= windowMs;
//   single-writer when one principal wrote all of it, multi-writer otherwise.

import { parseRoom } from '../rooms.ts'
import type { ClaimEvent } from './types.ts'
import { computeTaskFlow, type TaskFlow, type TaskFlowEvent, type TaskShape } from './taskFlow.ts'

export interface WriteEntry {
  room: string
  principal: string
  at: number
  bytes: number
}

/** Writes to a room by a principal counted together (a stored count; `at` is its bucket's start or the write's time). */
export interface WriteCountFact {
  room: string
  principal: string
  at: number
  updates: number
  bytes: number
}

export interface ClaimFact {
  event: ClaimEvent
  principal: string
  at: number
  /** Needed for the task flow (throughput, waits, speedup). */
  taskId?: string
  /** How many entries this fact stands for (a stored count; default 1). */
  count?: number
}

/** What an agent process reports about its model use (see POST .../agent-reports). */
export interface AgentReportFact {
  principal: string
  at: number
  modelCalls: number
  inputTokens: number
  outputTokens: number
  errors: number
  retries: number
}

export interface TeamMetricsInput {
  workspace: string
  /** Writes one by one: the concurrency of each document, and its counts unless `writeCounts` are given. */
  writes: WriteEntry[]
  /** Write counts per principal and bucket (stored counts): the counts come from these, `writes` only time the concurrency. */
  writeCounts?: WriteCountFact[]
  /** Per room, the time from which `writes` holds every write of the range (the rest were not read: a bound on the request). */
  writesFrom?: Map<string, number>
  claims: ClaimFact[]
  /** Entries for the task flow when `claims` are counts (created, won, completed with task ids); default: `claims`. */
  flow?: TaskFlowEvent[]
  reports?: AgentReportFact[]
  /** The workspace's tasks (dependencies, creation time) for the task flow. */
  tasks?: TaskShape[]
  since: number
  until: number
  bucketMs: number
  windowMs: number
  /** Principals whose writes are not team activity (the server's own reflections). */
  exclude?: string[]
}

export interface PrincipalActivity {
  edits: number
  editBytes: number
  namespaceWrites: number
  reviewWrites: number
  claimsWon: number
  claimRaces: number
  blocked: number
  expired: number
  staleFence: number
  completed: number
  modelCalls: number
  tokens: number
  errors: number
  retries: number
}

export interface DocumentConcurrency {
  room: string
  /** Present when the room had more writes in the range than a request reads: the figures below cover [coveredSince, until). */
  coveredSince?: number
  updates: number
  concurrentUpdates: number
  stretches: number
  multiWriterStretches: number
}

export interface TeamMetrics {
  workspace: string
  since: number
  until: number
  bucketMs: number
  windowMs: number
  concurrentWrites: { total: number; byDocument: DocumentConcurrency[] }
  stretches: { total: number; singleWriter: number; multiWriter: number; multiWriterShare: number }
  claims: { won: number; race: number; blocked: number; expired: number; staleFence: number; released: number; completed: number }
  /** Does the team help: throughput, waits, parallel speedup (shared/coord/taskFlow.ts). */
  tasks: TaskFlow
  perPrincipal: Array<{ principal: string } & PrincipalActivity>
  /** Sparse: one row per (bucket start, principal) with any activity. */
  timeline: Array<{ start: number; principal: string } & PrincipalActivity>
}

const empty = (): PrincipalActivity => ({
  edits: 0,
  editBytes: 0,
  namespaceWrites: 0,
  reviewWrites: 0,
  claimsWon: 0,
  claimRaces: 0,
  blocked: 0,
  expired: 0,
  staleFence: 0,
  completed: 0,
  modelCalls: 0,
  tokens: 0,
  errors: 0,
  retries: 0,
})

const CLAIM_FIELD: Partial<Record<ClaimEvent, keyof PrincipalActivity>> = {
  won: 'claimsWon',
  race: 'claimRaces',
  blocked: 'blocked',
  expired: 'expired',
  stale_fence: 'staleFence',
  completed: 'completed',
}

export function computeTeamMetrics(input: TeamMetricsInput): TeamMetrics {
  const { since, until, bucketMs, windowMs } = input
  const excluded = new Set(input.exclude ?? [])
  const inRange = (at: number) => at >= since && at < until
  const totals = new Map<string, PrincipalActivity>()
  const buckets = new Map<string, { start: number; principal: string } & PrincipalActivity>()
  const bump = (principal: string, at: number, field: keyof PrincipalActivity, by = 1) => {
    if (!totals.has(principal)) totals.set(principal, empty())
    totals.get(principal)![field] += by
    const start = since + Math.floor((at - since) / bucketMs) * bucketMs
    const key = `${start}\u0000${principal}`
    if (!buckets.has(key)) buckets.set(key, { start, principal, ...empty() })
    buckets.get(key)![field] += by
  }

  /** Which count a write to `room` adds to, or null (the task room: only the server writes it; claims are counted from the claim log). */
  const kinds = new Map<string, 'shared' | 'namespace' | 'review' | null>()
  const kindOf = (room: string): 'shared' | 'namespace' | 'review' | null => {
    // Once per room: a request counts up to tens of thousands of writes to a handful of rooms.
    let kind = kinds.get(room)
    if (kind !== undefined) return kind
    const ref = parseRoom(room)
    kind = ref && ref.workspace === input.workspace && (ref.kind === 'shared' || ref.kind === 'namespace' || ref.kind === 'review') ? ref.kind : null
    kinds.set(room, kind)
    return kind
  }
  const count = (room: string, principal: string, at: number, updates: number, bytes: number) => {
    const kind = kindOf(room)
    if (kind === 'shared') {
      bump(principal, at, 'edits', updates)
      bump(principal, at, 'editBytes', bytes)
    } else if (kind === 'namespace') bump(principal, at, 'namespaceWrites', updates)
    else if (kind === 'review') bump(principal, at, 'reviewWrites', updates)
  }
  const writes = input.writes.filter((w) => inRange(w.at) && !excluded.has(w.principal))
  const byRoom = new Map<string, WriteEntry[]>()
  for (const w of writes) {
    if (!kindOf(w.room)) continue
    if (!input.writeCounts) count(w.room, w.principal, w.at, 1, w.bytes)
    if (!byRoom.has(w.room)) byRoom.set(w.room, [])
    byRoom.get(w.room)!.push(w)
  }
  for (const c of input.writeCounts ?? []) if (inRange(c.at) && !excluded.has(c.principal)) count(c.room, c.principal, c.at, c.updates, c.bytes)
  const byDocument = [...byRoom]
    .map(([room, list]) => {
      const from = input.writesFrom?.get(room)
      return { ...concurrency(room, list, windowMs), ...(from !== undefined && from > since ? { coveredSince: from } : {}) }
    })
    .sort((a, b) => a.room.localeCompare(b.room))

  const claims = { won: 0, race: 0, blocked: 0, expired: 0, staleFence: 0, released: 0, completed: 0 }
  for (const c of input.claims) {
    if (!inRange(c.at)) continue
    const n = c.count ?? 1
    const field = CLAIM_FIELD[c.event]
    if (field) bump(c.principal, c.at, field, n)
    if (c.event === 'won') claims.won += n
    else if (c.event === 'race') claims.race += n
    else if (c.event === 'blocked') claims.blocked += n
    else if (c.event === 'expired') claims.expired += n
    else if (c.event === 'stale_fence') claims.staleFence += n
    else if (c.event === 'released') claims.released += n
    else if (c.event === 'completed') claims.completed += n
  }
  for (const r of input.reports ?? []) {
    if (!inRange(r.at)) continue
    bump(r.principal, r.at, 'modelCalls', r.modelCalls)
    bump(r.principal, r.at, 'tokens', r.inputTokens + r.outputTokens)
    bump(r.principal, r.at, 'errors', r.errors)
    bump(r.principal, r.at, 'retries', r.retries)
  }

  const stretchTotal = byDocument.reduce((n, d) => n + d.stretches, 0)
  const multi = byDocument.reduce((n, d) => n + d.multiWriterStretches, 0)
  return {
    workspace: input.workspace,
    since,
    until,
    bucketMs,
    windowMs,
    concurrentWrites: { total: byDocument.reduce((n, d) => n + d.concurrentUpdates, 0), byDocument },
    stretches: { total: stretchTotal, singleWriter: stretchTotal - multi, multiWriter: multi, multiWriterShare: stretchTotal ? multi / stretchTotal : 0 },
    claims,
    tasks: computeTaskFlow(
      (input.flow ?? input.claims).filter((c) => inRange(c.at)),
      input.tasks ?? [],
    ),
    perPrincipal: [...totals].map(([principal, a]) => ({ principal, ...a })).sort((a, b) => a.principal.localeCompare(b.principal)),
    timeline: [...buckets.values()].sort((a, b) => a.start - b.start || a.principal.localeCompare(b.principal)),
  }
}

function concurrency(room: string, list: WriteEntry[], windowMs: number): DocumentConcurrency {
  const sorted = [...list].sort((a, b) => a.at - b.at)
  // Last write time of each principal: a write is concurrent when another one wrote recently.
  const lastAt = new Map<string, number>()
  let concurrentUpdates = 0
  let stretches = 0
  let multiWriterStretches = 0
  let writers = new Set<string>()
  let prevAt = -Infinity
  for (const w of sorted) {
    if (w.at - prevAt > windowMs) {
      if (writers.size > 1) multiWriterStretches++
      stretches++
      writers = new Set()
    }
    for (const [p, at] of lastAt) {
      if (p !== w.principal && w.at - at <= windowMs) {
        concurrentUpdates++
        break
      }
    }
    lastAt.set(w.principal, w.at)
    writers.add(w.principal)
    prevAt = w.at
  }
  if (writers.size > 1) multiWriterStretches++
  return { room, updates: sorted.length, concurrentUpdates, stretches, multiWriterStretches }
}
