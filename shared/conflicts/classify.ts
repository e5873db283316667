// Conflict classification policy: pure functions over write stamps (what was written, by whom,
// and what the writer had provably seen). The detector (server/conflicts) gathers the stamps
// from the live Y.Doc; this file decides. The definition is in docs/conflicts.md.
//
// Concurrency: writes w1 and w2 are concurrent iff their principals differ, the writer of w2
// had not seen w1 and the writer of w1 had not seen w2. Writes of one principal never conflict.
//
// Evidence order: where the Yjs structure proves a writer had NOT seen a write (a map set that
// replaced an older value, a text re-deletion in a local update), that proof wins over any
// credit from deliveries or acknowledgements. Credit decides only where the structure is silent.
import { seesDelete, seesStruct, type Knowledge, type OpRef, type StructId } from './knowledge.ts'

/** One map-key assignment (a Yjs map item) or one explicit deletion of a key (an operation). */
export interface MapWriteStamp {
  principal: string
  /** What its writer had seen when writing it. */
  seen: Knowledge
  /** The item a set wrote, or the delete operation that removed the key. */
  write: { struct: StructId } | { op: OpRef }
}

/** The delete operations of one update (text characters or map keys). */
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

/** Had the writer of `x` seen write `y`, unless the structure proves it had not (`missed`, asked only when needed). */
export function sawWrite(x: MapWriteStamp, y: MapWriteStamp, missed: () => boolean): boolean {
  const credited = 'struct' in y.write ? seesStruct(x.seen, y.write.struct) : seesDelete(x.seen, y.write.op)
  return credited && !missed()
}

/**
 * Two writes of one key are concurrent iff neither writer had seen the other's. `missed(x, y)`:
 * the structure proves x's writer had not seen y (the value x replaced lies before y in the key).
 */
export function mapWritesConcurrent<W extends MapWriteStamp>(a: W, b: W, missed: (x: W, y: W) => boolean): boolean {
  if (a.principal === b.principal) return false
  return !sawWrite(a, b, () => missed(a, b)) && !sawWrite(b, a, () => missed(b, a))
}

export type RedeleteVerdict = 'same-principal' | 'relay' | 'conflict'

/**
 * An update deletes characters an earlier-integrated operation `first` already deleted.
 * A local Yjs delete only touches characters that are live for the writer, so a re-deletion in
 * an incremental update proves its writer had not seen `first`, whatever was delivered to it.
 * A sync reply or a persistence replay (`relayCapable`) carries every deletion the sender knows:
 * there the re-deletion is a relay if the sender had seen `first` (its state vector or an
 * acknowledgement says so) or `relayed` (another session of the same principal acknowledged it).
 */
export function classifyRedelete(first: DeleteStamp, again: DeleteStamp, relayCapable: boolean, relayed: boolean): RedeleteVerdict {
  if (first.principal === again.principal) return 'same-principal'
  if (!relayCapable) return 'conflict'
  if (relayed || seesDelete(again.seen, first)) return 'relay'
  return 'conflict'
}

/**
 * A re-deletion of characters that several operations (`firsts`) had already deleted, often
 * concurrently with each other. Yjs deletes only live characters, so a writer that had seen
 * any one of those deletions was relaying it: it conflicts with none of them (a client that
 * received one of two concurrent rewrites relays that one, and never saw the other).
 * Otherwise it conflicts with each first it classifies as a conflict. `relayed(first)`: another
 * session of the same principal acknowledged `first`.
 */
export function redeleteConflicts<D extends DeleteStamp>(firsts: readonly D[], again: DeleteStamp, relayCapable: boolean, relayed: (first: D) => boolean): D[] {
  const verdicts = firsts.map((first) => classifyRedelete(first, again, relayCapable, relayCapable && relayed(first)))
  if (verdicts.includes('relay')) return []
  return firsts.filter((_, i) => verdicts[i] === 'conflict')
}

/**
 * An insertion whose left neighbour (origin) and right neighbour (rightOrigin) were both
 * deleted by another principal's operations that the inserter had not seen, while that
 * deleter had not seen the insertion: it went inside a stretch deleted concurrently.
 * Returns the principals it conflicts with (each principal deleting both neighbours).
 * `deletedBy(x)` lists operations that deleted x; `insertDeletedBy` those that deleted the insert itself.
 */
export function classifyInsertion(insert: InsertStamp, leftDeleters: DeleteStamp[], rightDeleters: DeleteStamp[], insertDeletedBy: DeleteStamp[]): string[] {
  const unseen = (ops: DeleteStamp[]) => ops.filter((op) => op.principal !== insert.principal && !seesDelete(insert.seen, op) && !seesStruct(op.seen, insert.id))
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

/**
 * Two insertions of the same text at the same place (same neighbours) by different principals,
 * neither having seen the other: Yjs keeps both, so the text is now there twice.
 */
export function duplicatedInsertion(a: InsertStamp, b: InsertStamp, sameText: boolean): boolean {
  if (a.principal === b.principal || !sameText) return false
  return !seesStruct(a.seen, b.id) && !seesStruct(b.seen, a.id)
}
