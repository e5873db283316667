// "Does the team help": task throughput, how long tasks waited (blocked on dependencies, then
// ready but unclaimed), and parallel speedup, from the claim log. Pure; part of team metrics.
//
// Definitions, per task completed in the range:
// - working time: from the `won` of the lease that completed it to `completed` (work lost to
//   an expired or released lease is not counted: it produced nothing);
// - blocked wait: from creation until its last dependency completed (0 without dependencies);
// - unclaimed wait: from then (ready) until its first `won`;
// - span: first `won` to last `completed` in the range; throughput = completed per hour of span;
// - parallel speedup = sum of working times ÷ span (1: one at a time; 3: three at once).

import type { ClaimEvent } from './types.ts'

export interface TaskFlowEvent {
  event: ClaimEvent
  taskId?: string
  at: number
}

export interface TaskShape {
  id: string
  dependsOn: string[]
  createdAt: number
}

export interface TaskFlow {
  completed: number
  spanMs: number
  throughputPerHour: number
  workingMs: number
  parallelSpeedup: number
  waitedBlockedMs: number
  waitedUnclaimedMs: number
  /** Mean per completed task. */
  meanWaitBlockedMs: number
  meanWaitUnclaimedMs: number
}

export function computeTaskFlow(events: readonly TaskFlowEvent[], tasks: readonly TaskShape[]): TaskFlow {
  const sorted = [...events].filter((e) => e.taskId !== undefined).sort((a, b) => a.at - b.at)
  const firstWon = new Map<string, number>()
  const lastWon = new Map<string, number>()
  const completedAt = new Map<string, number>()
  const createdAt = new Map(tasks.map((t) => [t.id, t.createdAt]))
  let workingMs = 0
  for (const e of sorted) {
    const id = e.taskId!
    if (e.event === 'created') createdAt.set(id, e.at)
    else if (e.event === 'won') {
      if (!firstWon.has(id)) firstWon.set(id, e.at)
      lastWon.set(id, e.at)
    } else if (e.event === 'completed' && !completedAt.has(id)) {
      completedAt.set(id, e.at)
      workingMs += e.at - (lastWon.get(id) ?? e.at)
    }
  }
  const deps = new Map(tasks.map((t) => [t.id, t.dependsOn]))
  let waitedBlockedMs = 0
  let waitedUnclaimedMs = 0
  for (const id of completedAt.keys()) {
    const created = createdAt.get(id) ?? firstWon.get(id)!
    const depsDone = (deps.get(id) ?? []).map((d) => completedAt.get(d) ?? created)
    const ready = Math.max(created, ...depsDone)
    waitedBlockedMs += ready - created
    waitedUnclaimedMs += Math.max(0, (firstWon.get(id) ?? ready) - ready)
  }
  const completed = completedAt.size
  const starts = [...firstWon.values()]
  const ends = [...completedAt.values()]
  const spanMs = completed > 0 && starts.length > 0 ? Math.max(...ends) - Math.min(...starts) : 0
  return {
    completed,
    spanMs,
    throughputPerHour: spanMs > 0 ? (completed * 3_600_000) / spanMs : 0,
    workingMs,
    parallelSpeedup: spanMs > 0 ? workingMs / spanMs : 0,
    waitedBlockedMs,
    waitedUnclaimedMs,
    meanWaitBlockedMs: completed ? waitedBlockedMs / completed : 0,
    meanWaitUnclaimedMs: completed ? waitedUnclaimedMs / completed : 0,
  }
}
