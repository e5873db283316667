// The task store port: tasks, leases, fencing tokens and the claim log. Two implementations,
// SqliteTaskStore (embedded default, injected clock) and PostgresTaskStore (several instances
// on one database, database clock); test/coord/contract.ts is the contract both pass.
//
// Guarantees every implementation keeps:
// - claims are linearizable: each operation reads, decides (shared/coord/lease.ts) and writes
//   one task row under that row's lock, so at most one live lease exists per task;
// - fencing tokens strictly increase per task (a task row is never deleted);
// - an expired lease is returned to the pool, and logged `expired`, exactly once;
// - claim-log entries reach every `onEntries` handler after their transaction committed
//   (on Postgres: on every instance, whichever instance wrote them).

import type { ActivityPlan, ClaimEvent, ClaimFact, ClaimLogEntry, Lease, Task, TaskFlowEvent, TtlLimits } from '../../shared/coord/index.ts'

export interface NewTask {
  id: string
  title: string
  description?: string
  dependsOn?: string[]
}

/** A task as an export lists it (shared/coord Task without workspace, lease and update time). */
export interface ImportedTask {
  id: string
  title: string
  description: string
  dependsOn: string[]
  status: 'open' | 'claimed' | 'done'
  owner: string | null
  fencingToken: number
  result?: unknown
  createdBy: string
  createdAt: number
}

export type ClaimResult =
  | { ok: true; lease: Lease; task: Task }
  | { ok: false; code: 'held'; holder: string; expiresAt: number; task: Task }
  | { ok: false; code: 'blocked'; unfinished: string[]; task: Task }
  | { ok: false; code: 'done'; task: Task }

export type FencedResult = { ok: true; task: Task; lease: Lease | null } | { ok: false; code: 'stale_fence' | 'not_holder'; reason: string; task: Task }

export interface ClaimLogQuery {
  since?: number
  until?: number
  taskId?: string
  events?: ClaimEvent[]
  /** The last `limit` matching entries. */
  limit?: number
}

export type EntriesHandler = (entries: ClaimLogEntry[]) => void

export interface TaskStore {
  readonly ttl: TtlLimits
  /** Creates a task; creating the same task again (same fields) is a no-op (idempotent retries). */
  create(workspace: string, input: NewTask, by: string): Promise<{ task: Task; created: boolean }>
  /**
   * Tasks from a workspace export, in one transaction, into a workspace without tasks (false,
   * nothing written, when it has some). Done tasks stay done with their completer and result;
   * claimed ones come back open (a lease does not cross servers). Fencing tokens continue from
   * the exported ones, so a token never repeats for a task id.
   */
  importTasks(workspace: string, tasks: ImportedTask[], by: string): Promise<boolean>
  /** The task, with an expired lease returned to the pool first (expiry is checked on every access). */
  get(workspace: string, id: string): Promise<Task | null>
  list(workspace: string): Promise<Task[]>
  claim(workspace: string, id: string, principal: string, ttlMs?: number): Promise<ClaimResult>
  /** Extends a live lease by `ttlMs` (default: the TTL it was claimed with) from now. */
  renew(workspace: string, id: string, principal: string, fencingToken: number, ttlMs?: number): Promise<FencedResult>
  release(workspace: string, id: string, principal: string, fencingToken: number): Promise<FencedResult>
  /** Marks the task done with `result`. Repeating a successful completion returns it again. */
  complete(workspace: string, id: string, principal: string, fencingToken: number, result: unknown): Promise<FencedResult>
  /** Returns every expired lease (all workspaces) to the pool; the expiry timer calls this. */
  expireDue(): Promise<Array<{ workspace: string; id: string }>>
  /** Milliseconds (on the store's clock) until the earliest live lease ends; null when none is held. */
  msUntilNextExpiry(): Promise<number | null>
  /** Workspaces that have tasks. */
  workspaces(): Promise<string[]>
  /** Claim-log entries of a workspace in [since, until), oldest first. */
  claimLog(workspace: string, q?: ClaimLogQuery): Promise<ClaimLogEntry[]>
  /**
   * The counted claim events (shared/coord/activityPlan.ts) of a team-metrics request: stored
   * per-granule counts for the plan's granule ranges, single entries for its raw ranges.
   */
  claimActivity(workspace: string, plan: ActivityPlan): Promise<ClaimFact[]>
  /**
   * The entries the task flow needs for [since, until), per task: its creation, first win,
   * first completion and the last win before it (index seeks per task, not a scan of the log).
   */
  taskFlowEvents(workspace: string, since: number, until: number): Promise<TaskFlowEvent[]>
  /** The task row without touching expiry (for reflecting the stored state as it is). */
  peek(workspace: string, id: string): Promise<Task | null>
  /** Calls `handler` with committed claim-log entries (in commit order per writer). */
  onEntries(handler: EntriesHandler): void
  close(): Promise<void>
}
