// The server-side conflict detector for a `shared` room (DESIGN.md §4, docs/conflicts.md).
// The room hands every incoming update to integrate() instead of Y.applyUpdate(); the detector
// applies it in one transaction, learns what the writer had seen, and returns new conflicts.
// Start here; policy lives in shared/conflicts/classify.ts.
import * as Y from 'yjs'
import {
  EMPTY_KNOWLEDGE,
  classifyInsertion,
  classifyRedelete,
  mergeKnowledge,
  withOp,
  withStruct,
  type ConflictRecord,
  type Knowledge,
} from '../../shared/conflicts/index.ts'
import { ClientKnowledge } from './ClientKnowledge.ts'
import { MapWrites, valueAt } from './MapWrites.ts'
import { RangeIndex } from './RangeIndex.ts'
import { TypePaths } from './paths.ts'
import { type DeleteOp, type InsertRec } from './records.ts'
import { RecordBuilder } from './RecordBuilder.ts'

export interface Writer {
  principal: string
  /** The sender session (connection) id; one delete stream per session. Default: the principal. */
  session?: string
  /**
   * 'update': an incremental update (y-websocket sync message type 2): deletions in it are the
   * sender's own local deletes. 'sync': a sync step 2 / full-state message, whose delete set is
   * everything the sender knows (relays included). Default 'update'.
   */
  message?: 'update' | 'sync'
  /** Transaction origin for the apply (DESIGN: every transaction carries a typed origin). */
  origin?: unknown
}

/** Causal metadata an (own) client may send with an update: what it had seen before writing it. */
export interface CausalMeta {
  /** Y.encodeStateVector of the writer's doc before its first write in this update. */
  stateVector?: Uint8Array
  /** The writer's delete set then, as Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc)). */
  deleteSet?: Uint8Array
}

export interface DetectorOptions {
  /** Room name recorded in ConflictRecord.doc, e.g. `w1/shared`. */
  docName: string
  now?: () => number
}

interface Pending {
  principal: string
  redeleted: Array<{ client: number; clock: number; len: number; item: Y.Item }>
}

export class ConflictDetector {
  readonly doc: Y.Doc
  #opts: Required<DetectorOptions>
  #owners = new Map<number, string>()
  #clients = new ClientKnowledge()
  #sessions = new Map<string, Knowledge>()
  #streamSeq = new Map<string, number>()
  #delivered = new Map<string, Map<string, number>>() // principal -> session -> ops delivered (g)
  /** What the server had sent each session at its latest delivered() call. */
  #deliveredK = new Map<string, Knowledge>()
  #serverDv: Knowledge['dv'] = new Map()
  #serverK: Knowledge | null = EMPTY_KNOWLEDGE
  #g = 0
  #deletions = new RangeIndex<DeleteOp>()
  #byOrigin = new RangeIndex<InsertRec>()
  #byRightOrigin = new RangeIndex<InsertRec>()
  #inserts = new RangeIndex<InsertRec>()
  #maps = new MapWrites()
  #paths: TypePaths
  #records: RecordBuilder
  #emitted = new Set<string>()

  constructor(doc: Y.Doc, opts: DetectorOptions) {
    // Conflict records quote deleted text (what a stretch said before): keep tombstone content.
    if (doc.gc) throw new Error('ConflictDetector needs a Y.Doc created with { gc: false }')
    this.doc = doc
    this.#opts = { now: Date.now, ...opts }
    this.#paths = new TypePaths(doc)
    this.#records = new RecordBuilder(this.#opts.docName, this.#paths, this.#deletions, (c) => this.#owners.get(c))
  }

  /** The principal first seen writing structs of this Yjs client id. */
  ownerOf(client: number): string | undefined {
    return this.#owners.get(client)
  }

  /** Everything integrated so far has now been sent to `session` (sync step 2 or broadcast). */
  delivered(session: string, principal: string): void {
    let sessions = this.#delivered.get(principal)
    if (sessions === undefined) this.#delivered.set(principal, (sessions = new Map()))
    sessions.set(session, this.#g)
    this.#serverK ??= { sv: Y.decodeStateVector(Y.encodeStateVector(this.doc)), dv: this.#serverDv }
    this.#deliveredK.set(session, this.#serverK)
  }

  /** Forgets per-session knowledge (what it delivered stays, for relay evidence). */
  closeSession(session: string): void {
    this.#sessions.delete(session)
    this.#deliveredK.delete(session)
  }

  /** Applies `update` to the doc and returns the conflicts it revealed (each id only once). */
  integrate(update: Uint8Array, writer: Writer, seen?: CausalMeta): ConflictRecord[] {
    const session = writer.session ?? `principal:${writer.principal}`
    const decoded = Y.decodeUpdate(update)
    const store = this.doc.store
    const own = new Set<number>()
    let replay = false
    for (const s of decoded.structs) {
      if (s instanceof Y.Skip) continue
      const client = s.id.client
      if (!this.#owners.has(client)) this.#owners.set(client, writer.principal)
      if (this.#owners.get(client) === writer.principal) own.add(client)
      if (s.id.clock + s.length <= Y.getState(store, client)) replay = true
    }
    let base = this.#sessions.get(session) ?? EMPTY_KNOWLEDGE
    // Stock clients: an incremental update is credited with everything already sent to its session
    // (y-websocket sends local changes at once, so only edits within one round trip are misjudged).
    // Not for sync replies: a reply to sync step 1 may be computed before the server's step 2 landed.
    // Our own clients say exactly what they had seen: that replaces the delivery credit, which
    // would count an update still in flight towards them as seen.
    const deliveredK = this.#deliveredK.get(session)
    if (seen !== undefined) base = mergeKnowledge(base, this.#metaKnowledge(seen))
    else if (deliveredK !== undefined && writer.message !== 'sync') base = mergeKnowledge(base, deliveredK)
    const pending: Pending = { principal: writer.principal, redeleted: this.#alreadyDeletedText(decoded.ds) }
    const relayCapable = writer.message === 'sync' || replay
    const found: ConflictRecord[] = []
    const origin = writer.origin ?? { source: 'server', principal: writer.principal, reason: 'integrate' }
    this.doc.transact((tr) => {
      Y.applyUpdate(this.doc, update, origin)
      let after = base
      const inserts: InsertRec[] = []
      for (const item of this.#newItems(tr)) {
        const k = this.#learn(item, own.has(item.id.client) ? base : EMPTY_KNOWLEDGE)
        if (own.has(item.id.client)) after = mergeKnowledge(after, withStruct(k, item.lastId))
        const principal = this.#owners.get(item.id.client) ?? writer.principal
        if (item.parentSub !== null) this.#mapWrite(item, principal, k, found)
        else if (item.parent instanceof Y.Text && item.countable) inserts.push(this.#indexInsert(item, principal, k))
      }
      const deleted = this.#newlyDeletedText(tr)
      let op: DeleteOp | null = null
      if (deleted.length > 0 || pending.redeleted.length > 0) {
        for (const d of [...deleted, ...pending.redeleted]) after = mergeKnowledge(after, this.#clients.having({ client: d.client, clock: d.clock + d.len - 1 }))
        const seq = (this.#streamSeq.get(session) ?? 0) + 1
        this.#streamSeq.set(session, seq)
        op = { stream: session, seq, principal: writer.principal, seen: after, g: ++this.#g, after: after }
        after = withOp(after, op)
        op.after = after
        this.#serverDv = withOp({ sv: new Map(), dv: this.#serverDv }, op).dv
      }
      for (const rec of inserts) rec.after = after
      this.#sessions.set(session, after)
      if (op !== null) {
        for (const d of deleted) this.#deletions.add(d.client, d.clock, d.len, op)
        this.#redeletes(op, pending, relayCapable, session, found)
        for (const d of deleted) this.#insertsAround(op, d, found)
      }
      for (const rec of inserts) this.#insertionConflicts(rec, found)
    }, origin)
    this.#serverK = null
    return found.filter((r) => !this.#emitted.has(r.id) && this.#emitted.add(r.id))
  }

  #metaKnowledge(meta: CausalMeta): Knowledge {
    let k: Knowledge = { sv: meta.stateVector ? Y.decodeStateVector(meta.stateVector) : new Map(), dv: new Map() }
    if (meta.deleteSet) {
      for (const [client, ranges] of Y.decodeUpdate(meta.deleteSet).ds.clients) {
        for (const r of ranges) for (const s of this.#deletions.slices(client, r.clock, r.len)) for (const op of s.values) k = withOp(k, op)
      }
    }
    return k
  }

  /** Text items in `ds` that are already deleted here, cut to the ranges `ds` names. */
  #alreadyDeletedText(ds: ReturnType<typeof Y.decodeUpdate>['ds']): Pending['redeleted'] {
    const out: Pending['redeleted'] = []
    for (const [client, ranges] of ds.clients) {
      const structs = this.doc.store.clients.get(client)
      if (structs === undefined) continue
      const state = Y.getState(this.doc.store, client)
      for (const r of ranges) {
        const end = Math.min(r.clock + r.len, state)
        if (r.clock >= end) continue
        for (let i = Y.findIndexSS(structs, r.clock); i < structs.length && structs[i].id.clock < end; i++) {
          const s = structs[i]
          if (!(s instanceof Y.Item) || !s.deleted || !(s.parent instanceof Y.Text)) continue
          const from = Math.max(s.id.clock, r.clock)
          out.push({ client, clock: from, len: Math.min(s.id.clock + s.length, end) - from, item: s })
        }
      }
    }
    return out
  }

  *#newItems(tr: Y.Transaction): Generator<Y.Item> {
    for (const [client, structs] of this.doc.store.clients) {
      const before = tr.beforeState.get(client) ?? 0
      if (Y.getState(this.doc.store, client) <= before) continue
      for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
        const s = structs[i]
        if (s instanceof Y.Item) yield s
      }
    }
  }

  /** Knowledge of a new item's writer: its client's earlier knowledge plus the item's dependencies. */
  #learn(item: Y.Item, base: Knowledge): Knowledge {
    let k = mergeKnowledge(this.#clients.at(item.id.client, item.id.clock), base)
    if (item.origin) k = mergeKnowledge(k, this.#clients.having(item.origin))
    if (item.rightOrigin) k = mergeKnowledge(k, this.#clients.having(item.rightOrigin))
    const parent = (item.parent as Y.AbstractType<unknown>)._item
    if (parent) k = mergeKnowledge(k, this.#clients.having(parent.id))
    this.#clients.record(item.id.client, item.id.clock, k)
    return k
  }

  #mapWrite(item: Y.Item, principal: string, seen: Knowledge, found: ConflictRecord[]): void {
    const parent = item.parent as Y.AbstractType<unknown>
    const path = [...this.#paths.of(parent), item.parentSub as string]
    for (let i = 0; i < item.length; i++) {
      const id = { client: item.id.client, clock: item.id.clock + i }
      const write = { id, principal, seen: i === 0 ? seen : withStruct(seen, { client: id.client, clock: id.clock - 1 }), value: valueAt(item, i) }
      for (const other of this.#maps.add(path.join('\u0000'), write)) {
        const rec = this.#records.map(path, other, write, this.#opts.now())
        if (rec) found.push(rec)
      }
    }
  }

  #indexInsert(item: Y.Item, principal: string, seen: Knowledge): InsertRec {
    const rec: InsertRec = { id: item.id, principal, seen, text: item.parent as Y.Text, after: seen }
    if (item.origin) this.#byOrigin.add(item.origin.client, item.origin.clock, 1, rec)
    if (item.rightOrigin) this.#byRightOrigin.add(item.rightOrigin.client, item.rightOrigin.clock, 1, rec)
    this.#inserts.add(item.id.client, item.id.clock, 1, rec)
    return rec
  }

  #newlyDeletedText(tr: Y.Transaction): Array<{ client: number; clock: number; len: number }> {
    const out: Array<{ client: number; clock: number; len: number }> = []
    Y.iterateDeletedStructs(tr, tr.deleteSet, (s) => {
      if (s instanceof Y.Item && s.parent instanceof Y.Text) out.push({ client: s.id.client, clock: s.id.clock, len: s.length })
    })
    return out
  }

  #relayed(first: DeleteOp, principal: string, session: string): boolean {
    for (const [s, upTo] of this.#delivered.get(principal) ?? []) if (s !== session && upTo >= first.g) return true
    return false
  }

  #redeletes(op: DeleteOp, pending: Pending, relayCapable: boolean, session: string, found: ConflictRecord[]): void {
    const pairs: Array<[Y.Item, DeleteOp]> = []
    for (const r of pending.redeleted) {
      for (const slice of this.#deletions.slices(r.client, r.clock, r.len)) {
        const firsts = slice.values.filter((v) => v !== op)
        let counted = firsts.length === 0
        for (const first of firsts) {
          if (classifyRedelete(first, op, relayCapable && this.#relayed(first, op.principal, session)) !== 'conflict') continue
          counted = true
          pairs.push([r.item, first])
        }
        // Counted re-deletions become part of op (its version); relays do not.
        if (counted) this.#deletions.add(r.client, slice.start, slice.end - slice.start, op)
      }
    }
    for (const [item, first] of pairs) {
      const rec = this.#records.text(item, first, op, [first, op], (p) => p.deleters.includes(first) || p.deleters.includes(op), this.#opts.now())
      if (rec) found.push(rec)
    }
  }

  /** A new deletion may enclose earlier insertions made without seeing it. */
  #insertsAround(op: DeleteOp, d: { client: number; clock: number; len: number }, found: ConflictRecord[]): void {
    const recs = new Set<InsertRec>()
    for (const idx of [this.#byOrigin, this.#byRightOrigin]) for (const s of idx.slices(d.client, d.clock, d.len)) for (const rec of s.values) recs.add(rec)
    for (const rec of recs) if (rec.principal !== op.principal) this.#insertionConflicts(rec, found)
  }

  #insertionConflicts(rec: InsertRec, found: ConflictRecord[]): void {
    const item = Y.getItem(this.doc.store, rec.id) as Y.Item
    const head = item.id.clock === rec.id.clock ? item : null
    if (head === null || !head.origin || !head.rightOrigin) return
    const left = this.#deletions.get(head.origin.client, head.origin.clock)
    const right = this.#deletions.get(head.rightOrigin.client, head.rightOrigin.clock)
    const self = this.#deletions.get(rec.id.client, rec.id.clock)
    for (const principal of classifyInsertion(rec, left, right, self)) {
      const op = right.find((o) => o.principal === principal) as DeleteOp
      const rec2 = this.#records.text(head, op, rec, [op], (p) => p.deleters.includes(op), this.#opts.now())
      if (rec2) found.push(rec2)
    }
  }
}
