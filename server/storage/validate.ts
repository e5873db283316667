// Input checks shared by every backend, so a bad batch is rejected whole before any write
// and all backends reject the same inputs.

import type { UpdateMeta } from './DocumentStorage.ts'

export type NewUpdate = UpdateMeta & { data: Uint8Array }

export function checkRoom(room: string): void {
  if (typeof room !== 'string' || room.length === 0) throw new TypeError('room must be a non-empty string')
}

export function checkBatch(updates: NewUpdate[]): void {
  if (!Array.isArray(updates)) throw new TypeError('updates must be an array')
  updates.forEach((u, i) => {
    if (!(u?.data instanceof Uint8Array)) throw new TypeError(`updates[${i}].data must be a Uint8Array`)
    if (typeof u.principal !== 'string' || u.principal.length === 0) {
      throw new TypeError(`updates[${i}].principal must be a non-empty string`)
    }
    if (!Array.isArray(u.clients) || !u.clients.every((c) => Number.isSafeInteger(c) && c >= 0)) {
      throw new TypeError(`updates[${i}].clients must be an array of non-negative integers`)
    }
    if (!Number.isFinite(u.at)) throw new TypeError(`updates[${i}].at must be a finite number`)
  })
}

export function checkCompaction(snapshot: Uint8Array, uptoSeq: number, lastSeq: number): void {
  if (!(snapshot instanceof Uint8Array)) throw new TypeError('snapshot must be a Uint8Array')
  if (!Number.isSafeInteger(uptoSeq) || uptoSeq < 1) throw new RangeError('uptoSeq must be a positive integer')
  // A snapshot claiming updates that were never stored would make later seqs ambiguous.
  if (uptoSeq > lastSeq) throw new RangeError(`uptoSeq ${uptoSeq} is beyond the last stored seq ${lastSeq}`)
}

export function checkHistoryOptions(afterSeq: number, limit: number | undefined): void {
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new RangeError('afterSeq must be a non-negative integer')
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new RangeError('limit must be a positive integer')
  }
}

export function checkTimeRange(since: number, until: number, limit: number): void {
  if (!Number.isSafeInteger(since) || !Number.isSafeInteger(until)) throw new RangeError('since and until must be whole times in ms')
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer')
}

export function checkPlan(plan: { since: number; bucketMs: number }): void {
  // Whole ms: the stores sum counts per bucket in integer arithmetic.
  if (!Number.isSafeInteger(plan.since)) throw new RangeError('plan.since must be a whole time in ms')
  if (!Number.isSafeInteger(plan.bucketMs) || plan.bucketMs < 1) throw new RangeError('plan.bucketMs must be a positive integer')
}
