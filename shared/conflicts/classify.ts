// Conflict classification policy: pure functions over write stamps (what was written, by whom,
// and what the writer had provably seen). The detector (server/conflicts) gathers the stamps
// from the live Y.Doc; this file decides. The definition is in docs/conflicts.md.
//
// Concurrency: writes w1 and w2 are concurrent iff their principals differ, the writer of w2
// had not seen w1 and the writer of w1 had not seen w2. Writes of one principal never conflict.
import { seesOp, seesStruct, type Knowledge, type OpRef, type StructId } from './knowledge.ts'

/** One map-key assignment (a Yjs map item). */
export interface MapWriteStamp {
  id: StructId
  principal: string
  /** What its writer had seen when writing it. */
  seen: Knowledge
}

/** The text deletions of one update (one delete operation). */
export interface DeleteStamp extends OpRef {
  principal: string
  seen: Knowledge
}

/** One text insertion (one Yjs item), with its neighbours as the writer saw them. */
export interface InsertStamp {
  id: StructId
  principal: string
  seen: Knowledge
}

/** Two assignments to the same key conflict iff concurrent. */
export function mapWritesConflict(a: MapWriteStamp, b: MapWriteStamp): boolean {
  if (a.principal === b.principal) return false
  return !seesStruct(b.seen, a.id) && !seesStruct(a.seen, b.id)
}

export type RedeleteVerdict = 'same-principal' | 'relay' | 'conflict'

/**
 * An update deletes characters an earlier-integrated operation `first` already deleted.
 * A local Yjs delete only touches characters that are live for the writer, so a writer that
 * re-deletes had not seen `first` — unless the "deletion" is a relay of state it received
 * (a sync reply or a persistence replay carries every deletion the sender knows).
 * `relayed`: the server had delivered `first` to this sender's principal before (evidence of a relay).
 */
export function classifyRedelete(first: DeleteStamp, again: DeleteStamp, relayed: boolean): RedeleteVerdict {
  if (first.principal === again.principal) return 'same-principal'
  if (relayed || seesOp(again.seen, first)) return 'relay'
  return 'conflict'
}

/**
 * An insertion whose left neighbour (origin) and right neighbour (rightOrigin) were both
 * deleted by another principal's operations that the inserter had not seen, while that
 * deleter had not seen the insertion: it went inside a stretch deleted concurrently.
 * Returns the principals it conflicts with (each principal deleting both neighbours).
 * `deletedBy(x)` lists operations that deleted x; `insertDeletedBy` those that deleted the insert itself.
 */
export function classifyInsertion(
  insert: InsertStamp,
  leftDeleters: DeleteStamp[],
  rightDeleters: DeleteStamp[],
  insertDeletedBy: DeleteStamp[],
): string[] {
  const unseen = (ops: DeleteStamp[]) =>
    ops.filter((op) => op.principal !== insert.principal && !seesOp(insert.seen, op) && !seesStruct(op.seen, insert.id))
  const left = unseen(leftDeleters)
  const right = unseen(rightDeleters)
  const out = new Set<string>()
  for (const r of right) {
    // A deleter that also deleted the insertion itself had seen it (sequential).
    if (insertDeletedBy.some((op) => op.principal === r.principal)) continue
    if (left.some((l) => l.principal === r.principal)) out.add(r.principal)
  }
  return [...out].sort()
}
