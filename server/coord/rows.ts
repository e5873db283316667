// Row ↔ model mapping for coord_tasks and coord_claim_log, shared by the SQLite and Postgres
// task stores (both keep the same columns; JSON fields are stored as text).

import type { ClaimEvent, ClaimLogEntry, Lease, Task, TaskStatus } from '../../shared/coord/index.ts'
import type { LeaseState } from '../../shared/coord/index.ts'
import { isValidId } from '../../shared/rooms.ts'
import { CoordError } from './errors.ts'
import type { NewTask } from './TaskStore.ts'

export interface TaskRow {
  workspace: string
  id: string
  title: string
  description: string
  depends_on: string
  status: TaskStatus
  owner: string | null
  lease_acquired_at: number | null
  lease_expires_at: number | null
  lease_ttl_ms: number | null
  fencing_token: number
  result: string | null
  created_by: string
  created_at: number
  updated_at: number
}

export interface LogRow {
  seq: number
  workspace: string
  task: string
  principal: string
  event: ClaimEvent
  fencing_token: number | null
  holder: string | null
  detail: string | null
  at: number
}

export function toTask(r: TaskRow): Task {
  return {
    workspace: r.workspace,
    id: r.id,
    title: r.title,
    description: r.description,
    dependsOn: JSON.parse(r.depends_on) as string[],
    status: r.status,
    owner: r.owner,
    leaseExpiresAt: r.lease_expires_at,
    fencingToken: r.fencing_token,
    result: r.result === null ? null : JSON.parse(r.result),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

export function leaseState(r: TaskRow): LeaseState {
  return {
    status: r.status,
    owner: r.owner,
    leaseExpiresAt: r.lease_expires_at,
    fencingToken: r.fencing_token,
    acquiredAt: r.lease_acquired_at,
  }
}

export function toLogEntry(r: LogRow): ClaimLogEntry {
  return {
    seq: r.seq,
    workspace: r.workspace,
    taskId: r.task,
    principal: r.principal,
    event: r.event,
    fencingToken: r.fencing_token,
    holder: r.holder,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
    at: r.at,
  }
}

/** A new task validated, with its stored column values (depends_on as JSON text, deduplicated). */
export interface NormalizedTask {
  id: string
  title: string
  description: string
  dependsOn: string
}

export function normalizeNewTask(input: NewTask): NormalizedTask {
  if (!isValidId(input.id)) throw new CoordError('invalid', `task id ${JSON.stringify(input.id)} must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}`)
  const dependsOn = [...new Set(input.dependsOn ?? [])]
  if (dependsOn.includes(input.id)) throw new CoordError('invalid', `task ${input.id} cannot depend on itself`)
  return { id: input.id, title: input.title, description: input.description ?? '', dependsOn: JSON.stringify(dependsOn) }
}

/** Whether creating `t` again repeats the stored row (an idempotent retry) rather than changing it. */
export function sameTaskFields(row: TaskRow, t: NormalizedTask): boolean {
  return row.title === t.title && row.description === t.description && row.depends_on === t.dependsOn
}

export function toLease(r: TaskRow): Lease {
  return {
    workspace: r.workspace,
    taskId: r.id,
    owner: r.owner!,
    fencingToken: r.fencing_token,
    acquiredAt: r.lease_acquired_at!,
    expiresAt: r.lease_expires_at!,
    ttlMs: r.lease_ttl_ms!,
  }
}

/** What a store operation logs: the event, the task row it is about, who acted, and extras. */
export type LogFn<R = void> = (event: ClaimEvent, row: TaskRow, principal: string, extra?: { fencingToken?: number | null; holder?: string | null; detail?: object }) => R

/** The claim-log row an event produces (without seq, which the database assigns). */
export function logRow(event: ClaimEvent, row: TaskRow, principal: string, at: number, extra: Parameters<LogFn>[3] = {}): Omit<LogRow, 'seq'> {
  return {
    workspace: row.workspace,
    task: row.id,
    principal,
    event,
    fencing_token: extra.fencingToken === undefined ? row.fencing_token : extra.fencingToken,
    holder: extra.holder ?? null,
    detail: extra.detail ? JSON.stringify(extra.detail) : null,
    at,
  }
}
