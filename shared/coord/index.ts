// Coordination: task model, lease policy (pure), the task's shape in the task room,
// and team metrics. The server's TaskStore (server/coord/) applies the policy transactionally.
export type { Task, TaskStatus, Lease, ClaimEvent, ClaimOutcome, ClaimLogEntry, ClaimRace } from './types.ts'
export { TASK_STATUSES, CLAIM_OUTCOMES } from './types.ts'
export {
  clampTtl,
  isLeaseLive,
  isLeaseExpired,
  decideClaim,
  checkFence,
  isRepeatedCompletion,
  renewIntervalMs,
  DEFAULT_TTL_LIMITS,
  type LeaseState,
  type TtlLimits,
  type ClaimDecision,
  type FenceDecision,
} from './lease.ts'
export { TASKS_MAP, DOC_HISTORY_LIMIT, taskDocFields, writeTaskToDoc, readTaskFromDoc, taskIdsInDoc, type TaskDocFields, type TaskHistoryItem } from './doc.ts'
export {
  computeTeamMetrics,
  type TeamMetrics,
  type TeamMetricsInput,
  type WriteEntry,
  type WriteCountFact,
  type ClaimFact,
  type AgentReportFact,
  type PrincipalActivity,
  type DocumentConcurrency,
} from './teamMetrics.ts'
export { createTaskClient, keepLeaseAlive, type TaskClient, type KeptLease } from './client.ts'
export { readyTasks, claimOrder, boardExhausted, stableHash, type BoardTask } from './pickTask.ts'
export { computeTaskFlow, type TaskFlow, type TaskFlowEvent, type TaskShape } from './taskFlow.ts'
export { ACTIVITY_GRANULES, COUNTED_CLAIM_EVENTS, REPORT_FIELDS, planActivityRead, defaultMetricsRange, granuleStarts, type ActivityPlan, type Range } from './activityPlan.ts'
