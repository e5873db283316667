// Which task a worker takes next, from the board as the task room shows it. Pure. The server
// still arbitrates every claim; this only keeps workers from all racing for the same task.

import type { TaskStatus } from './types.ts'

export interface BoardTask {
  id: string
  status: TaskStatus
  dependsOn: string[]
  owner: string | null
  leaseExpiresAt: number | null
}

/** Open tasks whose dependencies are all done (a claimed task whose lease ran out counts as open). */
export function readyTasks<T extends BoardTask>(board: readonly T[], now: number): T[] {
  const done = new Set(board.filter((t) => t.status === 'done').map((t) => t.id))
  const free = (t: T) => t.status === 'open' || (t.status === 'claimed' && (t.leaseExpiresAt ?? 0) <= now)
  return board.filter((t) => free(t) && t.dependsOn.every((d) => done.has(d)))
}

/**
 * The ready tasks in the order `worker` should try them: by id, rotated by a hash of the
 * worker's name, so that several workers starting together try different tasks first.
 */
export function claimOrder<T extends BoardTask>(ready: readonly T[], worker: string): T[] {
  const sorted = [...ready].sort((a, b) => a.id.localeCompare(b.id))
  if (sorted.length === 0) return sorted
  const k = stableHash(worker) % sorted.length
  return [...sorted.slice(k), ...sorted.slice(0, k)]
}

/**
 * Nothing left a worker could ever take: every task is done, or none is ready and none is
 * held (so nothing will unblock the rest: their dependencies are missing).
 */
export function boardExhausted(board: readonly BoardTask[], now: number): boolean {
  if (board.every((t) => t.status === 'done')) return true
  const held = board.some((t) => t.status === 'claimed' && (t.leaseExpiresAt ?? 0) > now)
  return !held && readyTasks(board, now).length === 0
}

/** FNV-1a 32-bit: a stable small hash (for rotation and schedule offsets). */
export function stableHash(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}
