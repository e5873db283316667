// The text half of the conflict detector: every insertion indexed by its neighbours and every
// deletion by the characters it removed, so a late-arriving concurrent edit of the same stretch
// is found whatever the arrival order. Records are built by RecordBuilder; the rules (what is
// concurrent, what is a relay) live in shared/conflicts/classify.ts.
import * as Y from 'yjs'
import { classifyInsertion, duplicatedInsertion, redeleteConflicts, type ConflictRecord, type Knowledge, type StructId } from '../../shared/conflicts/index.ts'
import type { Via } from './MapWrites.ts'
import { RangeIndex } from './RangeIndex.ts'
import type { DeleteOp, InsertRec, Party } from './records.ts'
import type { RecordBuilder } from './RecordBuilder.ts'

/** A deleted item, cut to the range an update's delete set names. */
export interface Redeleted {
  client: number
  clock: number
  len: number
  item: Y.Item
}

export class TextWrites {
  readonly #doc: Y.Doc
  readonly #deletions: RangeIndex<DeleteOp>
  readonly #records: RecordBuilder
  readonly #now: () => number
  readonly #byOrigin = new RangeIndex<InsertRec>()
  readonly #byRightOrigin = new RangeIndex<InsertRec>()
  readonly #inserts = new RangeIndex<InsertRec>()

  /** `deletions` is shared with the RecordBuilder, which reads who deleted what. */
  constructor(doc: Y.Doc, deletions: RangeIndex<DeleteOp>, records: RecordBuilder, now: () => number) {
    this.#doc = doc
    this.#deletions = deletions
    this.#records = records
    this.#now = now
  }

  /** `op` deleted these characters (live until it arrived). */
  deleted(op: DeleteOp, d: { client: number; clock: number; len: number }): void {
    this.#deletions.add(d.client, d.clock, d.len, op)
  }

  /** Every operation that deleted a character of the range. */
  *opsDeleting(client: number, clock: number, len: number): Generator<DeleteOp> {
    for (const s of this.#deletions.slices(client, clock, len)) yield* s.values
  }

  /** Indexes a new text insertion by its neighbours, to judge later deletions around it. */
  indexInsert(item: Y.Item, principal: string, seen: Knowledge, via: Via): InsertRec {
    const rec: InsertRec = { id: item.id, principal, seen, text: item.parent as Y.Text, origin: item.origin, rightOrigin: item.rightOrigin, via }
    if (item.origin) this.#byOrigin.add(item.origin.client, item.origin.clock, 1, rec)
    if (item.rightOrigin) this.#byRightOrigin.add(item.rightOrigin.client, item.rightOrigin.clock, 1, rec)
    this.#inserts.add(item.id.client, item.id.clock, 1, rec)
    return rec
  }

  /**
   * Deletions of stretches already deleted here: a conflict with each earlier deletion the writer
   * had not seen (shared/conflicts/classify.ts redeleteConflicts); `relayed(first)`: another
   * session of the writer's principal acknowledged `first`.
   */
  redeletes(op: DeleteOp, redeleted: Redeleted[], relayCapable: boolean, relayed: (first: DeleteOp) => boolean, found: ConflictRecord[]): void {
    const pairs: Array<[Y.Item, DeleteOp]> = []
    for (const r of redeleted) {
      for (const slice of this.#deletions.slices(r.client, r.clock, r.len)) {
        const firsts = slice.values.filter((v) => v !== op)
        const conflicts = redeleteConflicts(firsts, op, relayCapable, relayed)
        const counted = firsts.length === 0 || conflicts.length > 0
        for (const first of conflicts) pairs.push([r.item, first])
        // Counted re-deletions become part of op (its version); relays do not.
        if (counted) this.#deletions.add(r.client, slice.start, slice.end - slice.start, op)
      }
    }
    const done = new Set<DeleteOp>()
    for (const [item, first] of pairs) {
      if (done.has(first)) continue
      done.add(first)
      const rec = this.#records.text(item, [party(first), party(op)], [first, op], this.#now())
      if (rec) found.push(rec)
    }
  }

  /** A new deletion may enclose earlier insertions made without seeing it. */
  insertsAround(op: DeleteOp, d: { client: number; clock: number; len: number }, found: ConflictRecord[]): void {
    const recs = new Set<InsertRec>()
    for (const idx of [this.#byOrigin, this.#byRightOrigin]) for (const s of idx.slices(d.client, d.clock, d.len)) for (const rec of s.values) recs.add(rec)
    for (const rec of recs) if (rec.principal !== op.principal) this.insertionConflicts(rec, found)
  }

  insertionConflicts(rec: InsertRec, found: ConflictRecord[]): void {
    const item = Y.getItem(this.#doc.store, rec.id) as Y.Item
    const head = item.id.clock === rec.id.clock ? item : null
    if (head === null) return
    this.#duplicates(rec, head, found)
    found.push(...this.#records.touched(rec.principal, [rec.origin, rec.rightOrigin], this.#now()))
    if (!head.origin || !head.rightOrigin) return
    const left = this.#deletions.get(head.origin.client, head.origin.clock)
    const right = this.#deletions.get(head.rightOrigin.client, head.rightOrigin.clock)
    const self = this.#deletions.get(rec.id.client, rec.id.clock)
    for (const principal of classifyInsertion(rec, left, right, self)) {
      const op = right.find((o) => o.principal === principal) as DeleteOp
      const rec2 = this.#records.text(head, [party(op), { principal: rec.principal, seen: rec.seen, via: rec.via }], [op], this.#now())
      if (rec2) found.push(rec2)
    }
  }

  /** The same text inserted at the same place by another principal, unseen: a duplication. */
  #duplicates(rec: InsertRec, head: Y.Item, found: ConflictRecord[]): void {
    if (head.deleted) return
    // Concurrent insertions by others between the same neighbours (cheap checks first).
    const siblings = (rec.origin ? this.#byOrigin.get(rec.origin.client, rec.origin.clock) : []).filter(
      (o) => o !== rec && sameId(o.rightOrigin, rec.rightOrigin) && sameId(o.origin, rec.origin) && duplicatedInsertion(rec, o, true),
    )
    if (siblings.length === 0) return
    const mine = runOf(head)
    const matches = [{ rec, ...mine }]
    for (const o of siblings) {
      // A replacement's insertion (its neighbour deleted by the other party) is judged with the deletions.
      if (this.#deletedByOther(rec.origin, o.principal) || this.#deletedByOther(rec.rightOrigin, o.principal)) continue
      const other = Y.getItem(this.#doc.store, o.id) as Y.Item
      if (other.deleted || other.id.clock !== o.id.clock) continue
      const run = runOf(other)
      if (run.text === mine.text) matches.push({ rec: o, ...run })
    }
    if (matches.length < 2) return
    const place = `${rec.origin ? `${rec.origin.client}:${rec.origin.clock}` : 'start'}>${rec.rightOrigin ? `${rec.rightOrigin.client}:${rec.rightOrigin.clock}` : 'end'}`
    const r = this.#records.duplicate(place, matches, this.#now())
    if (r) found.push(r)
  }

  #deletedByOther(id: StructId | null, principal: string): boolean {
    return id !== null && this.#deletions.get(id.client, id.clock).some((op) => op.principal === principal)
  }
}

function party(op: DeleteOp): Party {
  return { principal: op.principal, seen: op.seen, via: op.via }
}

function sameId(a: StructId | null, b: StructId | null): boolean {
  return a === b || (a !== null && b !== null && a.client === b.client && a.clock === b.clock)
}

/** An insertion and the items typed right after it by the same client (one run of text). */
function runOf(head: Y.Item): { items: Y.Item[]; text: string } {
  const items = [head]
  let text = head.content instanceof Y.ContentString ? head.content.str : ''
  for (let it = head.right; it !== null && text.length < 10_000; it = it.right) {
    const prev = items[items.length - 1]
    if (it.id.client !== prev.id.client || it.origin === null || it.origin.client !== prev.id.client || it.origin.clock !== prev.id.clock + prev.length - 1) break
    items.push(it)
    if (it.content instanceof Y.ContentString) text += it.content.str
  }
  return { items, text }
}
