// When to fold a room's update log into a snapshot. Pure policy: the caller supplies the
// counts it tracks since the last snapshot.

export interface CompactionStats {
  updatesSinceSnapshot: number
  bytesSinceSnapshot: number
}

export interface CompactionLimits {
  maxUpdates: number
  maxBytes: number
}

/** Load time grows with the number of updates, memory with their bytes; bound both. */
export const DEFAULT_COMPACTION_LIMITS: CompactionLimits = { maxUpdates: 500, maxBytes: 1024 * 1024 }

export function shouldCompact({ updatesSinceSnapshot, bytesSinceSnapshot }: CompactionStats, { maxUpdates, maxBytes }: CompactionLimits = DEFAULT_COMPACTION_LIMITS): boolean {
  // A single update is already as compact as a snapshot of it; nothing to gain.
  if (updatesSinceSnapshot < 2) return false
  return updatesSinceSnapshot >= maxUpdates || bytesSinceSnapshot >= maxBytes
}
