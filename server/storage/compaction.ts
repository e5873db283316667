// When to fold a room's update log into a snapshot. Pure policy: the caller supplies the
// counts it tracks since the last snapshot.

export interface CompactionStats {
  updatesSinceSnapshot: number
  bytesSinceSnapshot: number
  /** Size of the room's last snapshot (0 or absent: none). */
  snapshotBytes?: number
  /** The room is unloading or the server stopping: its next load replays whatever is not folded. */
  closing?: boolean
}

export interface CompactionLimits {
  maxUpdates: number
  maxBytes: number
  /**
   * While a room is live, at least one update per this many bytes of its last snapshot waits
   * before the next compaction (absent: no such wait; see shouldCompact).
   */
  snapshotBytesPerUpdate?: number
}

/** Load time grows with the number of updates, memory with their bytes; bound both. */
export const DEFAULT_COMPACTION_LIMITS: CompactionLimits = { maxUpdates: 500, maxBytes: 1024 * 1024, snapshotBytesPerUpdate: 64 }

/**
 * A compaction re-encodes and rewrites the whole document, so at a fixed interval its cost per
 * update grew with the document (a 200 kB text folded every 500 edits: ~400 bytes rewritten per
 * edit, the term that grew with long streams; docs/benchmarks.md). While the room is live the
 * interval grows with the snapshot instead: at least `snapshotBytes / snapshotBytesPerUpdate`
 * updates (or as many bytes as the snapshot), so each update pays for a bounded number of bytes
 * whatever the size; replaying the log after a crash stays proportional to the document. When
 * the room closes, the fixed bounds apply: the next load replays fewer than `maxUpdates`.
 */
export function shouldCompact(
  { updatesSinceSnapshot, bytesSinceSnapshot, snapshotBytes = 0, closing = false }: CompactionStats,
  { maxUpdates, maxBytes, snapshotBytesPerUpdate }: CompactionLimits = DEFAULT_COMPACTION_LIMITS,
): boolean {
  // A single update is already as compact as a snapshot of it; nothing to gain.
  if (updatesSinceSnapshot < 2) return false
  if (closing || snapshotBytesPerUpdate === undefined) return updatesSinceSnapshot >= maxUpdates || bytesSinceSnapshot >= maxBytes
  return updatesSinceSnapshot >= Math.max(maxUpdates, snapshotBytes / snapshotBytesPerUpdate) || bytesSinceSnapshot >= Math.max(maxBytes, snapshotBytes)
}
