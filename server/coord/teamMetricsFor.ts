// Gathers the inputs of computeTeamMetrics for one workspace: the attribution log of every
// room of the workspace the viewer may read (storage.history), the claim log and the agents'
// reports. A room the viewer may not read (a hidden namespace, its review room) contributes
// nothing, not even counts: activity there would reveal what the access policy hides.
// Cost ([perf] #18): claim, report and write counts are read per bucket and minute, not per entry
// (stored counts, kept as entries are written); the task flow reads a few entries per task
// (first/last win, completion). Only the concurrency of documents is timed write by write: it
// reads the newest writes of the range (found through the stored counts), at most WRITES_READ in
// all, shared between the rooms; a room with more says from when its figures hold (coveredSince).

import type { DocumentStorage } from '../storage/index.ts'
import { computeTeamMetrics, planActivityRead, type TeamMetrics, type WriteCountFact, type WriteEntry } from '../../shared/coord/index.ts'
import { SERVER_PRINCIPAL } from '../../shared/model.ts'
import type { TaskStore } from './TaskStore.ts'
import type { AgentReportStore } from './AgentReportStore.ts'

export interface WritesRead {
  /** Writes read one by one per request (for the concurrency of documents), shared between the rooms read. */
  total: number
  /** Each room reads at least this many, however many rooms share `total`. */
  perRoom: number
}

export const WRITES_READ: WritesRead = { total: 50_000, perRoom: 1_000 }

export interface TeamMetricsQuery {
  since: number
  until: number
  bucketMs: number
  windowMs: number
}

export async function teamMetricsFor(
  workspace: string,
  q: TeamMetricsQuery,
  sources: { storage: DocumentStorage; store: TaskStore; reports: AgentReportStore },
  /** Whether the viewer may read this room (shared/access.ts, through mayRead). */
  readable: (room: string) => boolean,
  bound: WritesRead = WRITES_READ,
): Promise<TeamMetrics> {
  const rooms = (await sources.storage.rooms()).filter((r) => r.startsWith(`${workspace}/`) && readable(r))
  // Claim, report and write counts come from stored per-granule counts (shared/coord/activityPlan.ts);
  // the task flow reads four times per task, not the range's entries.
  const plan = planActivityRead(q.since, q.until, q.bucketMs)
  const writeCounts: WriteCountFact[] = []
  const writes: WriteEntry[] = []
  const writesFrom = new Map<string, number>()
  const perRoom = Math.max(bound.perRoom, Math.floor(bound.total / Math.max(1, rooms.length)))
  for (const room of rooms) {
    const counts = await sources.storage.writeCounts(room, plan)
    if (counts.length === 0) continue
    for (const c of counts) writeCounts.push({ room, ...c })
    const { from, entries: kept } = await sources.storage.newestWrites(room, q.since, q.until, perRoom)
    if (from > q.since) writesFrom.set(room, from)
    for (const e of kept) writes.push({ room, principal: e.principal, at: e.at, bytes: e.bytes })
  }
  return computeTeamMetrics({
    workspace,
    writes,
    writeCounts,
    writesFrom,
    claims: await sources.store.claimActivity(workspace, plan),
    flow: await sources.store.taskFlowEvents(workspace, q.since, q.until),
    reports: await sources.reports.activity(workspace, plan),
    tasks: (await sources.store.list(workspace)).map((t) => ({ id: t.id, dependsOn: t.dependsOn, createdAt: t.createdAt })),
    ...q,
    exclude: [SERVER_PRINCIPAL],
  })
}
