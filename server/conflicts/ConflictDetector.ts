// The server-side conflict detector for a `shared` room (DESIGN.md §4, docs/conflicts.md).
// The room hands every incoming update to integrate() instead of Y.applyUpdate(); the detector
// applies it in one transaction, learns what the writer had seen, and returns new conflicts.
// Start here; policy lives in shared/conflicts/classify.ts.
import * as Y from 'yjs'
import {
  EMPTY_KNOWLEDGE,
  mergeKnowledge,
  seesStruct,
  withOp,
  withStateVector,
  Vector,
  withStruct,
  type ConflictRecord,
  type Knowledge,
  type StructId,
} from '../../shared/conflicts/index.ts'
import { ClientKnowledge } from './ClientKnowledge.ts'
import { MapWrites, type MapWrite, type Via } from './MapWrites.ts'
import { RangeIndex } from './RangeIndex.ts'
import { TypePaths } from './paths.ts'
import { type DeleteOp, type InsertRec } from './records.ts'
import { RecordBuilder } from './RecordBuilder.ts'
import { SessionEvidence } from './SessionEvidence.ts'
import { TextWrites, type Redeleted } from './TextWrites.ts'
import { describeItem, LIVE } from './typedValue.ts'
import type { CausalMeta, Writer } from '../core/writer.ts'

export interface DetectorOptions {
  /** Room name recorded in ConflictRecord.doc, e.g. `w1/shared`. */
  docName: string
  now?: () => number
  /** Told the first time a Yjs client id is seen writing, with its principal (to keep durably). */
  onOwner?: (client: number, principal: string) => void
}

type DecodedDs = ReturnType<typeof Y.decodeUpdate>['ds']

export class ConflictDetector {
  readonly doc: Y.Doc
  #opts: Required<Omit<DetectorOptions, 'onOwner'>> & Pick<DetectorOptions, 'onOwner'>
  #owners = new Map<number, string>()
  #clients = new ClientKnowledge()
  #sessions = new SessionEvidence()
  #serverDv: Knowledge['dv'] = Vector.empty()
  /** The server's own state vector as knowledge, raised (never rebuilt) as the doc grows. */
  #serverSv: Knowledge['sv'] = Vector.empty()
  /** Each client's clock as #serverSv last saw it: only clients that grew since are raised. */
  #serverClocks = new Map<number, number>()
  #serverK: Knowledge | null = EMPTY_KNOWLEDGE
  #g = 0
  #text: TextWrites
  /** Explicit deletes of map keys already recorded: principal + item, to count each once. */
  #mapDeletes = new Set<string>()
  #maps = new MapWrites()
  #paths: TypePaths
  #records: RecordBuilder

  constructor(doc: Y.Doc, opts: DetectorOptions) {
    // Conflict records quote deleted text (what a stretch said before): keep tombstone content.
    if (doc.gc) throw new Error('ConflictDetector needs a Y.Doc created with { gc: false }')
    this.doc = doc
    this.#opts = { now: Date.now, ...opts }
    this.#paths = new TypePaths(doc)
    const deletions = new RangeIndex<DeleteOp>()
    this.#records = new RecordBuilder(this.#opts.docName, this.#paths, deletions, (c) => this.#owners.get(c))
    this.#text = new TextWrites(doc, deletions, this.#records, () => this.#opts.now())
  }

  /**
   * Indexes the map values already in the document (a snapshot loaded before the detector saw
   * them), with their writers from `owners`, so later writes are compared with them. Nothing is
   * compared among them (they were judged when they arrived).
   */
  indexExisting(owners: ReadonlyMap<number, string>): void {
    for (const [client, principal] of owners) if (!this.#owners.has(client)) this.#owners.set(client, principal)
    for (const [client, structs] of this.doc.store.clients) {
      const principal = owners.get(client)
      if (principal === undefined) continue
      for (const s of structs) {
        if (!(s instanceof Y.Item) || s.parentSub === null) continue
        const base = s.origin ? (Y.getItem(this.doc.store, s.origin) as Y.Item) : null
        const typed = describeItem(s, s.length - 1, s.deleted ? () => true : LIVE)
        const { key } = this.#keyOf(s)
        const id = { client, clock: s.id.clock + s.length - 1 }
        const seen = s.origin ? this.#clients.having(s.origin) : EMPTY_KNOWLEDGE
        this.#maps.seed(key, { principal, seen, write: { struct: id }, item: s, base, typed, via: 'stored', group: null })
      }
    }
  }

  /** The principal first seen writing structs of this Yjs client id. */
  ownerOf(client: number): string | undefined {
    return this.#owners.get(client)
  }

  /**
   * Everything integrated so far has now been sent to `session`. Sent is not seen: this counts
   * only once the session acknowledges a probe sent after it (see probed / acknowledged).
   */
  delivered(session: string, _principal?: string): void {
    this.#sessions.delivered(session, this.#serverKnowledge(), this.#g)
  }

  /** A probe (sync step 1) went to `session` after its latest delivery; its answer proves that delivery was integrated. */
  probed(session: string): void {
    this.#sessions.probed(session)
  }

  /**
   * `session` answered its oldest outstanding probe: a y-websocket client handles messages in
   * order, so it had integrated everything delivered before that probe. Call in the order of the
   * session's messages (after the updates it sent before the answer).
   */
  acknowledged(session: string, principal: string): void {
    this.#sessions.acknowledged(session, principal)
  }

  /** Forgets per-session knowledge (what it acknowledged stays, for relay evidence). */
  closeSession(session: string): void {
    this.#sessions.close(session)
  }

  /** Applies `update` to the doc and returns the conflict records it created or changed. */
  integrate(update: Uint8Array, writer: Writer, seen?: CausalMeta): ConflictRecord[] {
    const session = writer.session ?? `principal:${writer.principal}`
    const decoded = Y.decodeUpdate(update)
    const store = this.doc.store
    const own = new Set<number>()
    let replay = false
    for (const s of decoded.structs) {
      if (s instanceof Y.Skip) continue
      const client = s.id.client
      if (!this.#owners.has(client)) {
        this.#owners.set(client, writer.principal)
        this.#opts.onOwner?.(client, writer.principal)
      }
      if (this.#owners.get(client) === writer.principal) own.add(client)
      if (s.id.clock + s.length <= Y.getState(store, client)) replay = true
    }
    const via: Via = writer.stored ? 'stored' : writer.knowsAll ? 'server' : writer.message === 'sync' ? 'offline' : 'online'
    // Evidence of what the writer had seen: its session's own earlier writes and acknowledged
    // deliveries, what its client says (causal metadata, or a sync reply's state vector), and for
    // a server write everything. Deliveries never acknowledged count for nothing.
    let base = this.#sessions.knowledge(session)
    if (seen !== undefined) base = this.#withMeta(base, seen)
    if (writer.knowsAll) base = mergeKnowledge(base, this.#serverKnowledge())
    const relayCapable = writer.message === 'sync' || replay
    // Replay has less evidence than the live run (no acknowledgements): a stored full-state message
    // re-deleting what is deleted already is taken as a relay, never as a new deletion.
    const redeleted = writer.stored && relayCapable ? [] : this.#alreadyDeleted(decoded.ds)
    // A sync reply that answers a probe was computed after the client integrated everything
    // delivered before that probe: the deletions it relays are judged with that knowledge.
    const answering = writer.message === 'sync' ? this.#sessions.answering(session) : undefined
    const found: ConflictRecord[] = []
    const origin = writer.origin ?? { source: 'server', principal: writer.principal, reason: 'integrate' }
    this.doc.transact((tr) => {
      Y.applyUpdate(this.doc, update, origin)
      let after = base
      const inserts: InsertRec[] = []
      const sets: Array<{ item: Y.Item; principal: string; seen: Knowledge }> = []
      let struct: StructId | undefined
      for (const item of this.#newItems(tr)) {
        const k = this.#learn(item, own.has(item.id.client) ? base : EMPTY_KNOWLEDGE)
        if (own.has(item.id.client)) {
          after = mergeKnowledge(after, withStruct(k, item.lastId))
          struct = item.lastId
        }
        const principal = this.#owners.get(item.id.client) ?? writer.principal
        if (item.parentSub !== null) sets.push({ item, principal, seen: k })
        else if (item.parent instanceof Y.Text && item.countable) inserts.push(this.#text.indexInsert(item, principal, k, via))
      }
      // Only what the writer deleted: integration also deletes the loser of a key overwrite and the
      // content of a removed type, which its writer never touched (nor, maybe, saw).
      const deleted = this.#newlyDeleted(tr).filter((d) => inDeleteSet(decoded.ds, d.item.id))
      const textDeleted = deleted.filter((d) => d.item.parent instanceof Y.Text)
      const textRedeleted = redeleted.filter((d) => d.item.parent instanceof Y.Text)
      if (answering !== undefined) after = mergeKnowledge(after, answering.k)
      // Any message may relay a deletion its writer had integrated (an SDK replays its local log as
      // updates): re-deleting a value its writer had seen overwritten is never its own delete.
      const mapDeletes = this.#explicitMapDeletes(deleted, redeleted, sets, writer.principal, after)
      let op: DeleteOp | null = null
      if (textDeleted.length > 0 || textRedeleted.length > 0 || mapDeletes.length > 0) {
        for (const d of [...deleted, ...redeleted]) after = mergeKnowledge(after, this.#clients.having({ client: d.client, clock: d.clock + d.len - 1 }))
        const seq = this.#sessions.nextSeq(session)
        op = { stream: session, seq, principal: writer.principal, seen: after, g: ++this.#g, via, ...(struct ? { struct } : {}) }
        after = withOp(after, op)
        this.#serverDv = this.#serverDv.with(op.stream, op.seq)
      }
      this.#sessions.setKnowledge(session, after)
      for (const s of sets) this.#mapSet(s.item, s.principal, s.seen, decoded.ds, via, found)
      if (op !== null) {
        for (const d of mapDeletes) this.#mapDelete(d, op, found)
        for (const d of textDeleted) this.#text.deleted(op, d)
        const deleter = op
        this.#text.redeletes(op, textRedeleted, relayCapable, (first) => this.#sessions.relayed(first, deleter.principal, session), found)
        for (const d of textDeleted) this.#text.insertsAround(op, d, found)
      }
      for (const rec of inserts) this.#text.insertionConflicts(rec, found)
    }, origin)
    this.#serverK = null
    return found
  }

  /**
   * What the server had integrated, as knowledge: built once per batch of integrations and shared
   * by every session it is delivered to (integrate() drops it, so it is always current).
   */
  #serverKnowledge(): Knowledge {
    if (this.#serverK === null) {
      this.#serverSv = this.#serverSv.raisedBy(this.#grownClients())
      this.#serverK = { sv: this.#serverSv, dv: this.#serverDv }
    }
    return this.#serverK
  }

  /**
   * The document's state vector entries that grew since the last call: the same raise as the
   * whole state vector, without encoding and decoding it and looking up every client in the
   * layered vector once per batch.
   */
  *#grownClients(): Generator<[number, number]> {
    for (const [client, structs] of this.doc.store.clients) {
      const last = structs[structs.length - 1]
      const clock = last.id.clock + last.length
      if (this.#serverClocks.get(client) === clock) continue
      this.#serverClocks.set(client, clock)
      yield [client, clock]
    }
  }

  /** `base` plus what a client's causal metadata says it had seen (stored as a raise of base). */
  #withMeta(base: Knowledge, meta: CausalMeta): Knowledge {
    let k = withStateVector(base, Y.decodeStateVector(meta.stateVector))
    if (meta.deleteSet) {
      for (const [client, ranges] of Y.decodeUpdate(meta.deleteSet).ds.clients) {
        for (const r of ranges) for (const op of this.#text.opsDeleting(client, r.clock, r.len)) k = withOp(k, op)
      }
    }
    return k
  }

  /** Items in `ds` that are already deleted here, cut to the ranges `ds` names. */
  #alreadyDeleted(ds: DecodedDs): Redeleted[] {
    const out: Redeleted[] = []
    for (const [client, ranges] of ds.clients) {
      const structs = this.doc.store.clients.get(client)
      if (structs === undefined) continue
      const state = Y.getState(this.doc.store, client)
      for (const r of ranges) {
        const end = Math.min(r.clock + r.len, state)
        if (r.clock >= end) continue
        for (let i = Y.findIndexSS(structs, r.clock); i < structs.length && structs[i].id.clock < end; i++) {
          const s = structs[i]
          if (!(s instanceof Y.Item) || !s.deleted) continue
          if (!(s.parent instanceof Y.Text) && s.parentSub === null) continue
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

  #keyOf(item: Y.Item): { key: string; parentKey: string; path: string[] } {
    const parent = item.parent as Y.AbstractType<unknown>
    const parentKey = parent._item ? `${parent._item.id.client}:${parent._item.id.clock}` : `root:${this.#paths.of(parent)[0]}`
    return { key: `${parentKey}\u0000${item.parentSub}`, parentKey, path: [...this.#paths.of(parent), item.parentSub as string] }
  }

  #mapSet(item: Y.Item, principal: string, seen: Knowledge, ds: DecodedDs, via: Via, found: ConflictRecord[]): void {
    const base = item.origin ? (Y.getItem(this.doc.store, item.origin) as Y.Item) : null
    // A value that lost at once (deleted on arrival) is described as its writer left it: every
    // part except what the writer itself deleted.
    const keep = item.deleted ? (it: Y.Item) => !inDeleteSet(ds, it.id) : LIVE
    for (let i = 0; i < item.length; i++) {
      const id = { client: item.id.client, clock: item.id.clock + i }
      const write: MapWrite = {
        principal,
        seen: i === 0 ? seen : withStruct(seen, { client: id.client, clock: id.clock - 1 }),
        write: { struct: id },
        item,
        base,
        typed: describeItem(item, i, keep),
        via,
        group: null,
      }
      this.#addMapWrite(item, write, found)
    }
  }

  /**
   * Map items an update deleted that are deletions of a key, not the overwrite of a set or the
   * removal of a parent. Re-deleting an item the writer knew was overwritten is a relay, whatever
   * the message: a Yjs delete only touches live items.
   */
  #explicitMapDeletes(deleted: Redeleted[], redeleted: Redeleted[], sets: Array<{ item: Y.Item; principal: string }>, principal: string, writerKnew: Knowledge): Y.Item[] {
    const out: Y.Item[] = []
    const seenItems = new Set<Y.Item>()
    const again = new Set(redeleted.map((r) => r.item))
    for (const { item } of [...deleted, ...redeleted]) {
      if (item.parentSub === null || seenItems.has(item)) continue
      seenItems.add(item)
      // Yjs deletes only live items, and a writer that had the overwrite had the item deleted already.
      if (again.has(item) && this.#knewOverwritten(item, writerKnew)) continue
      const parent = item.parent as Y.AbstractType<unknown>
      if (parent._item !== null && parent._item.deleted) continue
      if (sets.some((s) => s.item.parent === parent && s.item.parentSub === item.parentSub)) continue
      if (this.#overwrittenBy(item, principal)) continue
      const mark = `${principal}\u0000${item.id.client}:${item.id.clock}`
      if (this.#mapDeletes.has(mark)) continue
      this.#mapDeletes.add(mark)
      out.push(item)
    }
    return out
  }

  /** `k` had a later value of the key than `item` (so it knew `item` was overwritten). */
  #knewOverwritten(item: Y.Item, k: Knowledge): boolean {
    let steps = 0
    for (let it = item.right; it !== null && steps < 10_000; it = it.right, steps++) if (seesStruct(k, it.id)) return true
    return false
  }

  /** `principal` itself replaced `item` with a later set (its deletion was that overwrite). */
  #overwrittenBy(item: Y.Item, principal: string): boolean {
    let steps = 0
    for (let it = item.right; it !== null && steps < 10_000; it = it.right, steps++) {
      if (this.#owners.get(it.id.client) === principal && it.origin !== null) return true
    }
    return false
  }

  #mapDelete(target: Y.Item, op: DeleteOp, found: ConflictRecord[]): void {
    const write: MapWrite = { principal: op.principal, seen: op.seen, write: { op }, item: null, base: target, typed: { t: 'deleted' }, via: op.via, group: null }
    this.#addMapWrite(target, write, found)
  }

  #addMapWrite(item: Y.Item, write: MapWrite, found: ConflictRecord[]): void {
    const { key, parentKey, path } = this.#keyOf(item)
    const group = this.#maps.add(key, path, write)
    if (group === null) return
    const rec = this.#records.map(group, parentKey, this.#opts.now())
    if (rec) found.push(rec)
  }

  /** Text and map items this transaction deleted. */
  #newlyDeleted(tr: Y.Transaction): Redeleted[] {
    const out: Redeleted[] = []
    Y.iterateDeletedStructs(tr, tr.deleteSet, (s) => {
      if (s instanceof Y.Item && (s.parent instanceof Y.Text || s.parentSub !== null)) out.push({ client: s.id.client, clock: s.id.clock, len: s.length, item: s })
    })
    return out
  }
}

function inDeleteSet(ds: DecodedDs, id: StructId): boolean {
  for (const r of ds.clients.get(id.client) ?? []) if (id.clock >= r.clock && id.clock < r.clock + r.len) return true
  return false
}
