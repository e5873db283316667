// Gathers the inputs of computeTeamMetrics for one workspace: the attribution log of every
// room of the workspace the viewer may read (storage.history), the claim log and the agents'
// reports. A room the viewer may not read (a hidden namespace, its review room) contributes
// nothing, not even counts: activity there would reveal what the access policy hides.
// Cost: claim and report counts are read per bucket and minute, not per entry; the task flow
// reads a few entries per task (first/last win, completion); each room's whole attribution log (no
// data blobs) is still read (the document storage port has no time-range read yet).

import type { DocumentStorage } from '../storage/index.ts'
import { computeTeamMetrics, planActivityRead, type TeamMetrics, type WriteEntry } from '../../shared/coord/index.ts'
import { SERVER_PRINCIPAL } from '../../shared/model.ts'
import type { TaskStore } from './TaskStore.ts'
import type { AgentReportStore } from './AgentReportStore.ts'

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
): Promise<TeamMetrics> {
  const rooms = (await sources.storage.rooms()).filter((r) => r.startsWith(`${workspace}/`) && readable(r))
  const writes: WriteEntry[] = []
  for (const room of rooms) {
    for (const e of await sources.storage.history(room)) {
      if (e.at >= q.since && e.at < q.until) writes.push({ room, principal: e.principal, at: e.at, bytes: e.bytes })
    }
  }
  // Claim and report counts come from stored per-granule counts (shared/coord/activityPlan.ts);
  // the task flow reads four times per task, not the range's entries.
  const plan = planActivityRead(q.since, q.until, q.bucketMs)
  return computeTeamMetrics({
    workspace,
    writes,
    claims: await sources.store.claimActivity(workspace, plan),
    flow: await sources.store.taskFlowEvents(workspace, q.since, q.until),
    reports: await sources.reports.activity(workspace, plan),
    tasks: (await sources.store.list(workspace)).map((t) => ({ id: t.id, dependsOn: t.dependsOn, createdAt: t.createdAt })),
    ...q,
    exclude: [SERVER_PRINCIPAL],
  })
}
