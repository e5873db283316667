// Row ↔ model mapping for coord_tasks and coord_claim_log.

import type { ClaimEvent, ClaimLogEntry, Task, TaskStatus } from '../../shared/coord/index.ts'
import type { LeaseState } from '../../shared/coord/index.ts'

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
