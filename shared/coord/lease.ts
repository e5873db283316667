// Lease policy as pure functions of (task state, request, now). The server's TaskStore runs
// them inside one SQLite transaction each, which is what makes claims linearizable.

import type { TaskStatus } from './types.ts'

/** The fields of a task the policy looks at. */
export interface LeaseState {
  status: TaskStatus
  owner: string | null
  leaseExpiresAt: number | null
  fencingToken: number
  /** When the current lease was acquired (for race bookkeeping); null when not claimed. */
  acquiredAt?: number | null
}

export interface TtlLimits {
  minTtlMs: number
  maxTtlMs: number
  defaultTtlMs: number
}

export const DEFAULT_TTL_LIMITS: TtlLimits = { minTtlMs: 50, maxTtlMs: 10 * 60_000, defaultTtlMs: 30_000 }

/** A requested TTL clamped into the server's bounds (a lease forever would defeat expiry). */
export function clampTtl(ttlMs: number | undefined, limits: TtlLimits = DEFAULT_TTL_LIMITS): number {
  if (ttlMs === undefined || !Number.isFinite(ttlMs)) return limits.defaultTtlMs
  return Math.min(limits.maxTtlMs, Math.max(limits.minTtlMs, Math.floor(ttlMs)))
}

/** A lease is live strictly before its expiry instant; at `expiresAt` it is already gone. */
export function isLeaseLive(t: LeaseState, now: number): boolean {
  return t.status === 'claimed' && t.leaseExpiresAt !== null && now < t.leaseExpiresAt
}

/** Whether the task holds a lease that has run out and must go back to the pool. */
export function isLeaseExpired(t: LeaseState, now: number): boolean {
  return t.status === 'claimed' && !isLeaseLive(t, now)
}

export type ClaimDecision =
  | { kind: 'won'; fencingToken: number; expiresAt: number }
  | { kind: 'race'; holder: string; expiresAt: number }
  | { kind: 'blocked'; unfinished: string[] }
  | { kind: 'done'; owner: string | null }

/**
 * Decides a claim on a task whose expired lease (if any) has already been returned to the pool.
 * `dependencyStatus(id)` is undefined for a dependency that does not exist: it is not done,
 * so it blocks. Re-claiming a task one already holds grants a fresh lease with a new token
 * (the old one becomes stale): a client that lost the first response retries safely.
 */
export function decideClaim(
  t: LeaseState,
  dependsOn: readonly string[],
  dependencyStatus: (id: string) => TaskStatus | undefined,
  claimant: string,
  now: number,
  ttlMs: number,
): ClaimDecision {
  if (t.status === 'done') return { kind: 'done', owner: t.owner }
  if (isLeaseLive(t, now) && t.owner !== claimant) return { kind: 'race', holder: t.owner ?? '', expiresAt: t.leaseExpiresAt ?? now }
  const unfinished = dependsOn.filter((d) => dependencyStatus(d) !== 'done')
  if (unfinished.length > 0) return { kind: 'blocked', unfinished }
  return { kind: 'won', fencingToken: t.fencingToken + 1, expiresAt: now + ttlMs }
}

export type FenceDecision = { ok: true } | { ok: false; code: 'stale_fence' | 'not_holder'; reason: string }

/**
 * Whether `fencingToken` from `principal` still stands for the task's live lease.
 * A token other than the last one issued, or any token once the lease has expired, been
 * released or completed, is stale. The right token from someone else is `not_holder`.
 */
export function checkFence(t: LeaseState, principal: string, fencingToken: number, now: number): FenceDecision {
  if (fencingToken !== t.fencingToken) {
    return { ok: false, code: 'stale_fence', reason: `fencing token ${fencingToken} is not the current one (${t.fencingToken})` }
  }
  if (!isLeaseLive(t, now)) {
    const why = t.status === 'done' ? 'the task is done' : t.status === 'open' ? 'the lease was released or expired' : 'the lease expired'
    return { ok: false, code: 'stale_fence', reason: `fencing token ${fencingToken} no longer holds a lease: ${why}` }
  }
  if (t.owner !== principal) return { ok: false, code: 'not_holder', reason: `the lease is held by ${t.owner}, not ${principal}` }
  return { ok: true }
}

/** Whether a completion is a retry of one that already succeeded (same holder, same token). */
export function isRepeatedCompletion(t: LeaseState, principal: string, fencingToken: number): boolean {
  return t.status === 'done' && t.owner === principal && t.fencingToken === fencingToken
}

/** Renew a lease every third of its TTL: two renewals may fail before it lapses. */
export function renewIntervalMs(ttlMs: number): number {
  return Math.max(1, Math.floor(ttlMs / 3))
}
