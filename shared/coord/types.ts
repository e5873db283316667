// The task board's data model, shared by server, agent SDK and browser.
// SQLite on the server is the truth; the task room `W/tasks` (written only by the server) is a live view of it.

export type TaskStatus = 'open' | 'claimed' | 'done'
export const TASK_STATUSES = ['open', 'claimed', 'done'] as const

/** One task as the server knows it. `fencingToken` is the last token issued (0: never claimed). */
export interface Task {
  workspace: string
  id: string
  title: string
  description: string
  dependsOn: string[]
  status: TaskStatus
  /** Holder while claimed, completer once done, null while open. */
  owner: string | null
  /** Set while claimed: ms since epoch at which the lease ends unless renewed. */
  leaseExpiresAt: number | null
  fencingToken: number
  /** Whatever the completer reported (JSON), null until done. */
  result: unknown
  createdBy: string
  createdAt: number
  updatedAt: number
}

/** A granted lease. The fencing token is the proof of ownership for renew/release/complete. */
export interface Lease {
  workspace: string
  taskId: string
  owner: string
  fencingToken: number
  acquiredAt: number
  expiresAt: number
  ttlMs: number
}

/**
 * Claim-log events. `won`, `race`, `blocked`, `expired`, `stale_fence` are the claim results
 * counted in Prometheus; the rest record the lease lifecycle.
 * - race: a claim refused because another principal held a live lease.
 * - stale_fence: a renew/release/complete whose token is not the task's live lease.
 * - not_holder: the current token presented by someone who is not the holder.
 */
export type ClaimEvent = 'created' | 'won' | 'race' | 'blocked' | 'refused_done' | 'expired' | 'renewed' | 'released' | 'completed' | 'stale_fence' | 'not_holder'

export const CLAIM_OUTCOMES = ['won', 'race', 'blocked', 'expired', 'stale_fence'] as const
export type ClaimOutcome = (typeof CLAIM_OUTCOMES)[number]

export interface ClaimLogEntry {
  seq: number
  workspace: string
  taskId: string
  /** Who acted (for `expired`: the holder whose lease ended). */
  principal: string
  event: ClaimEvent
  /** The token the event is about (issued, presented, or expired). */
  fencingToken: number | null
  /** For race / stale_fence / not_holder: who held the task at that moment. */
  holder: string | null
  /** Event details: unfinished dependencies, ms the holder had held the lease, ... */
  detail: Record<string, unknown> | null
  at: number
}

/** The subset of a claim-log entry that the [review] conflict log wants for a claim race. */
export interface ClaimRace {
  workspace: string
  taskId: string
  /** The refused claimant. */
  loser: string
  /** The principal holding the lease when the claim arrived. */
  holder: string
  holderFencingToken: number
  /** How long the holder had held its lease when the losing claim arrived. */
  heldForMs: number
  at: number
}
