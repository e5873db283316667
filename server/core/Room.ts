// A room: one Yjs document, its awareness, the connections on it and its durable log.
//
// The invariant that matters: an update is appended to storage *before* it is applied,
// broadcast or acknowledged. Updates that arrive while a batch is being written queue up
// and go to disk together in the next batch (group commit: one fsync for many edits).

import type { Span } from '@opentelemetry/api'
import { inDetectSpan, startIngestSpan } from '../telemetry/ingestSpans.ts'
import * as Y from 'yjs'
import type { Logger } from 'pino'
import type { DocumentStorage, RoomState } from '../storage/DocumentStorage.ts'
import type { ServerMetrics } from '../metrics.ts'
import type { TransactionOrigin } from '../../shared/origin.ts'
import type { Limits } from './limits.ts'
import type { Clock } from './clock.ts'
import type { Connection } from './Connection.ts'
import { RoomPresence } from './RoomPresence.ts'
import { needsMet, yjsPendingBytes, type UpdateInfo } from './inspectUpdate.ts'
import { CLOSE, persistedMessage, updateMessage } from '../../shared/wire/index.ts'
import type { RoomExtension } from './RoomExtension.ts'
import type { CausalMeta, UpdateMessage } from './writer.ts'


export interface RoomOptions {
  name: string
  storage: DocumentStorage
  limits: Limits
  metrics: ServerMetrics
  logger: Logger
  /** Takes over how updates enter the document (the conflict detector on shared rooms). */
  extension?: RoomExtension
  /** Called once the room has no connections and has been idle for limits.idleRoomMs. */
  onIdle: (room: Room) => void
  shouldCompact: (stats: { updatesSinceSnapshot: number; bytesSinceSnapshot: number }) => boolean
  /** Version history (shared rooms): client id ownership, versions before server writes. */
  history?: RoomHistory
  /** The idle timer and the times stored with updates. */
  clock: Clock
}

/** What version history needs from a room (server/history/VersionService.ts). */
export interface RoomHistory {
  /** The room has loaded its stored state. */
  loaded(room: Room): void
  /** Null, or why `principal` may not add structs under one of `clients` (another writer's ids). */
  claimClients(principal: string, clients: number[]): string | null
  /** Called before a server write's mutation runs, with everything queued before it applied. */
  beforeServerWrite(room: Room, write: { principal: string; reason: string; clientId: number }): void
}

/** Who wrote a queued update: a socket, or the server itself acting for a principal. */
type QueuedWriter = { conn: Connection; principal: string } | { conn: null; principal: string; reason: string }

type QueuedUpdate = Extract<Queued, { kind: 'update' }>

/** A Yjs client id for server writes, never one a client has used in this document. */
function freshClientId(doc: Y.Doc): number {
  for (;;) {
    const id = Math.floor(Math.random() * 2 ** 31)
    if (!doc.store.clients.has(id)) return id
  }
}

type Queued =
  | {
      kind: 'update'
      writer: QueuedWriter
      update: Uint8Array
      message: UpdateMessage
      /** What the writer had seen, when its client said so (MESSAGE_CAUSAL). */
      causal?: CausalMeta
      clients: number[]
      receivedAt: number
      /** `polyphony.update`, from queued to broadcast (server/telemetry/ingestSpans.ts). */
      span?: Span
      gap: boolean
      ends: Map<number, number> | null
      /** Per client: the clock the document must have before this update integrates. */
      needs: Map<number, number>
    }
  | { kind: 'ack'; conn: Connection; requestId: number }
  /** The connection answered a probe: it had integrated what it was sent before (after its earlier updates). */
  | { kind: 'seen'; conn: Connection }
  /** The connection closed: its session's evidence is dropped after the updates it sent before. */
  | { kind: 'closed'; conn: Connection }


export class Room {
  readonly name: string
  readonly doc: Y.Doc
  readonly presence: RoomPresence
  readonly connections = new Set<Connection>()
  /** Highest storage seq applied to `doc`; every lower seq is applied too. */
  appliedSeq = 0
  #snapshotSeq = 0
  #updatesSinceSnapshot = 0
  #bytesSinceSnapshot = 0
  #queue: Queued[] = []
  #flushing: Promise<void> | null = null
  #idleTimer: unknown = null
  #closed = false

  constructor(private readonly opts: RoomOptions) {
    this.name = opts.name
    this.doc = new Y.Doc({ gc: opts.extension?.gc ?? true })
    this.presence = new RoomPresence(this.doc, () => this.connections)
    this.doc.on('update', this.#broadcastUpdate)
  }

  async load(): Promise<void> {
    const state = await this.opts.storage.load(this.name)
    if (this.opts.extension) this.opts.extension.load(this.doc, state)
    else this.#applyStored(state)
    this.#snapshotSeq = state.snapshotSeq
    this.appliedSeq = state.updates.at(-1)?.seq ?? state.snapshotSeq
    this.#updatesSinceSnapshot = state.updates.length
    this.#bytesSinceSnapshot = state.updates.reduce((n, u) => n + u.data.length, 0)
    this.opts.history?.loaded(this)
  }

  /** Null, or why `principal` may not write under one of these client ids (see RoomHistory). */
  claimClients(principal: string, clients: number[]): string | null {
    return this.opts.history?.claimClients(principal, clients) ?? null
  }

  #applyStored(state: RoomState): void {
    const origin: TransactionOrigin = { source: 'storage' }
    Y.transact(
      this.doc,
      () => {
        if (state.snapshot) Y.applyUpdate(this.doc, state.snapshot, origin)
        for (const u of state.updates) {
          // An update that failed to apply when it arrived fails the same way now: skip it
          // rather than make the room unloadable.
          try {
            Y.applyUpdate(this.doc, u.data, origin)
          } catch (err) {
            this.opts.logger.warn({ err, room: this.name, seq: u.seq }, 'stored update failed to apply on load')
          }
        }
      },
      origin,
    )
  }

  get queuedUpdates(): number {
    return this.#queue.length
  }

  /** Bytes of updates waiting to be stored and applied (the writers' reads pause beyond a bound). */
  get queuedBytes(): number {
    return this.#queuedBytes
  }

  #queuedBytes = 0

  /** Bytes held back for missing dependencies, counting queued updates that will be. */
  pendingBytes(): number {
    return this.#heldBytes + this.#queuedGapBytes + yjsPendingBytes(this.doc)
  }

  /** Updates held back for missing dependencies, counting queued updates that will be. */
  get pendingUpdates(): number {
    return this.#held.length + this.#queuedGaps
  }

  /**
   * Stored updates whose dependencies have not arrived, in arrival order. The room holds them
   * itself instead of handing them to Yjs, which would re-merge its whole pending set on every
   * such update and ship the dangling structs to new clients in sync step 2.
   */
  #held: QueuedUpdate[] = []
  #heldBytes = 0

  /** The clock the document will have for `client` once everything queued is applied. */
  expectedState(client: number): number {
    return Math.max(Y.getState(this.doc.store, client), this.#queuedEnds.get(client) ?? 0)
  }

  // A burst of updates is inspected before any of it is applied: track what the queue adds,
  // so consecutive updates of one client are not mistaken for gaps, and gaps in one burst add up.
  #queuedEnds = new Map<number, number>()
  #queuedGapBytes = 0
  #queuedGaps = 0

  addConnection(conn: Connection): void {
    this.connections.add(conn)
    if (this.#idleTimer) this.opts.clock.clearTimeout(this.#idleTimer)
    this.#idleTimer = null
  }

  removeConnection(conn: Connection): void {
    if (!this.connections.delete(conn)) return
    // Updates it sent may still be queued: they are judged with what the session had seen, so the
    // extension forgets the session only after them, in queue order.
    if (this.opts.extension) {
      this.#queue.push({ kind: 'closed', conn })
      this.#scheduleFlush()
    }
    this.presence.release(conn)
    this.armIdle()
  }

  /** Starts the idle countdown if nobody is connected (also for rooms loaded by the API). */
  armIdle(): void {
    if (this.connections.size > 0 || this.#closed) return
    if (this.#idleTimer) this.opts.clock.clearTimeout(this.#idleTimer)
    this.#idleTimer = this.opts.clock.setTimeout(() => this.opts.onIdle(this), this.opts.limits.idleRoomMs)
  }

  /** Queues an accepted update for durable append; applied and broadcast once stored. */
  enqueueUpdate(
    conn: Connection,
    update: Uint8Array,
    info: Pick<UpdateInfo, 'clients' | 'hasGap' | 'ends' | 'needs'>,
    message: UpdateMessage,
    causal?: CausalMeta,
  ): void {
    const ends = info.hasGap ? null : info.ends
    this.#queue.push({
      kind: 'update',
      writer: { conn, principal: conn.ctx.principal },
      update,
      message,
      causal,
      clients: info.clients,
      receivedAt: performance.now(),
      span: startIngestSpan({ room: this.name, principal: conn.ctx.principal, bytes: update.length, message, traceparent: causal?.traceparent }),
      gap: info.hasGap,
      ends,
      needs: info.needs,
    })
    this.#queuedBytes += update.length
    if (info.hasGap) {
      this.#queuedGapBytes += update.length
      this.#queuedGaps++
    }
    for (const [client, end] of ends ?? []) this.#queuedEnds.set(client, Math.max(end, this.#queuedEnds.get(client) ?? 0))
    this.#scheduleFlush()
  }

  /**
   * Writes as the server on behalf of `principal` (task reflection, conflict resolution,
   * demo content) through the same durable path as socket updates. Resolves once stored.
   */
  writeAsServer(principal: string, reason: string, mutate: (doc: Y.Doc) => void): Promise<void> {
    const run = async (): Promise<void> => {
      await this.drain()
      const scratch = new Y.Doc()
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(this.doc))
      // One client id per principal the server writes for (fresh in this room): one id shared by
      // every principal would credit one principal's write to another (the detector attributes
      // ids to principals); one per write would grow the state vector with every server write.
      let clientId = this.#serverClientIds.get(principal)
      if (clientId === undefined) this.#serverClientIds.set(principal, (clientId = freshClientId(this.doc)))
      scratch.clientID = clientId
      this.opts.history?.beforeServerWrite(this, { principal, reason, clientId })
      const before = Y.encodeStateVector(scratch)
      let changed = false
      scratch.on('update', () => (changed = true))
      Y.transact(scratch, () => mutate(scratch), { source: 'server', principal, reason } satisfies TransactionOrigin)
      if (changed) {
        const update = Y.encodeStateAsUpdate(scratch, before)
        const writer: QueuedWriter = { conn: null, principal, reason }
        this.#queue.push({ kind: 'update', writer, update, message: 'update', clients: [scratch.clientID], receivedAt: performance.now(), gap: false, ends: null, needs: new Map() })
        this.#queuedBytes += update.length
        this.#scheduleFlush()
        await this.drain()
        const stored = Y.getState(this.doc.store, scratch.clientID) >= Y.getState(scratch.store, scratch.clientID)
        scratch.destroy()
        if (!stored) throw new Error(`server write to ${this.name} could not be stored`)
      } else {
        scratch.destroy()
      }
    }
    const next = this.#serverWrites.then(run)
    this.#serverWrites = next.catch(() => {})
    return next
  }

  #serverWrites: Promise<void> = Promise.resolve()
  #serverClientIds = new Map<string, number>()

  /** Replies to `conn` once everything it sent before this request is durable. */
  enqueueAck(conn: Connection, requestId: number): void {
    this.#queue.push({ kind: 'ack', conn, requestId })
    this.#scheduleFlush()
  }

  /** `conn` has been sent the whole document state (sync step 2). */
  noteDelivered(conn: Connection): void {
    this.opts.extension?.delivered(String(conn.id), conn.ctx.principal)
    conn.probe()
  }

  /** Whether connections should probe what their client has integrated (see Connection.probe). */
  get wantsAcks(): boolean {
    return this.opts.extension?.wantsAcks ?? false
  }

  /** `conn` sent a probe (sync step 1) after what it was delivered. */
  noteProbed(conn: Connection): void {
    this.opts.extension?.probed(String(conn.id))
  }

  /** `conn` answered its oldest probe; counted in order with the updates it sent before. */
  enqueueSeen(conn: Connection): void {
    this.#queue.push({ kind: 'seen', conn })
    this.#scheduleFlush()
  }

  /** Resolves when everything queued so far is stored and applied. */
  async drain(): Promise<void> {
    while (this.#flushing || this.#queue.length > 0) {
      if (!this.#flushing) this.#scheduleFlush()
      await this.#flushing
    }
  }

  /** Folds the log into a snapshot when the policy says the log has grown enough. */
  async compactIfNeeded(force = false): Promise<void> {
    const stats = { updatesSinceSnapshot: this.#updatesSinceSnapshot, bytesSinceSnapshot: this.#bytesSinceSnapshot }
    if (this.appliedSeq <= this.#snapshotSeq) return
    if (!force && !this.opts.shouldCompact(stats)) return
    const upto = this.appliedSeq
    // encodeStateAsUpdate includes what Yjs holds pending; add what the room holds back.
    const parts = [Y.encodeStateAsUpdate(this.doc), ...this.#held.map((q) => q.update)]
    const snapshot = parts.length === 1 ? parts[0] : Y.mergeUpdates(parts)
    await this.opts.storage.compact(this.name, snapshot, upto)
    this.#snapshotSeq = upto
    this.#updatesSinceSnapshot = 0
    this.#bytesSinceSnapshot = 0
    this.opts.metrics.compactions.inc()
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#idleTimer) this.opts.clock.clearTimeout(this.#idleTimer)
    await this.drain()
    await this.compactIfNeeded()
    this.opts.extension?.destroy()
    this.presence.destroy()
    this.doc.destroy()
  }

  #scheduleFlush(): void {
    if (this.#flushing) return
    // setImmediate lets every message already read from the sockets join this batch.
    this.#flushing = new Promise<void>((resolve) => setImmediate(() => this.#flush().finally(resolve)))
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#takeBatch()
        try {
          await this.#persistAndApply(batch)
        } catch {
          // Logged and its writers told in #persistAndApply; the room keeps serving.
        } finally {
          this.#forgetQueued(batch)
        }
      }
    } finally {
      this.#flushing = null
    }
    for (const conn of this.connections) conn.roomDrained()
    void this.compactIfNeeded().catch((err: unknown) => this.opts.logger.error({ err, room: this.name }, 'compaction failed'))
  }

  /**
   * The next batch: queued entries up to limits.maxBatchBytes of updates (at least one entry).
   * A flood is stored and broadcast in slices with a turn between them, so sockets drain as
   * it goes instead of every reader being handed the whole flood in one go.
   */
  #takeBatch(): Queued[] {
    let bytes = 0
    let n = 0
    for (const q of this.#queue) {
      const size = q.kind === 'update' ? q.update.length : 0
      if (n > 0 && bytes + size > this.opts.limits.maxBatchBytes) break
      bytes += size
      n++
    }
    return this.#queue.splice(0, n)
  }

  #forgetQueued(batch: Queued[]): void {
    for (const q of batch) {
      if (q.kind !== 'update') continue
      this.#queuedBytes -= q.update.length
      if (q.gap) {
        this.#queuedGapBytes -= q.update.length
        this.#queuedGaps--
      }
    }
    this.#queuedEnds.clear()
    for (const q of this.#queue) {
      if (q.kind !== 'update' || !q.ends) continue
      for (const [client, end] of q.ends) this.#queuedEnds.set(client, Math.max(end, this.#queuedEnds.get(client) ?? 0))
    }
  }

  async #persistAndApply(batch: Queued[]): Promise<void> {
    // Updates from sockets that closed meanwhile are stored too: a client may write and leave.
    const updates = batch.filter((q): q is QueuedUpdate => q.kind === 'update')
    const seqs = await this.#store(updates)
    const acked = new Set<Connection>()
    // Broadcasts of this batch are collected and sent as one message per peer at the end:
    // one frame and one syscall per socket per batch instead of per update.
    this.#outgoing = []
    try {
      let i = 0
      for (const q of batch) {
        if (q.kind === 'ack') {
          q.conn.send(persistedMessage(q.requestId, Y.encodeStateVector(this.doc)))
          continue
        }
        if (q.kind === 'seen') {
          this.opts.extension?.acknowledged(String(q.conn.id), q.conn.ctx.principal)
          q.conn.probeAnswered()
          continue
        }
        if (q.kind === 'closed') {
          this.opts.extension?.sessionClosed(String(q.conn.id), q.conn.ctx.principal)
          continue
        }
        if (needsMet(this.doc, q.needs)) this.#applyOne(q)
        else this.#hold(q)
        this.appliedSeq = seqs[i++]
        this.#updatesSinceSnapshot++
        this.#bytesSinceSnapshot += q.update.length
        if (q.writer.conn?.ctx.wantsPersisted) acked.add(q.writer.conn)
      }
      this.#applyReady()
    } finally {
      this.#sendOutgoing(updates)
    }
    if (acked.size > 0) {
      const msg = persistedMessage(0, Y.encodeStateVector(this.doc))
      for (const conn of acked) conn.send(msg)
    }
  }

  /** Appends durably; on failure nothing of the batch was acknowledged and its writers must resend. */
  async #store(updates: QueuedUpdate[]): Promise<number[]> {
    if (updates.length === 0) return []
    const started = performance.now()
    const at = this.opts.clock.now()
    try {
      const seqs = await this.opts.storage.append(
        this.name,
        updates.map((u) => ({ principal: u.writer.principal, clients: u.clients, at, data: u.update, message: u.writer.conn ? u.message : 'server' })),
      )
      this.opts.metrics.persistSeconds.observe((performance.now() - started) / 1000)
      this.opts.metrics.batchSize.observe(updates.length)
      return seqs
    } catch (err) {
      this.opts.logger.error({ err, room: this.name }, 'append failed; closing writers of the batch')
      for (const u of updates) u.writer.conn?.close(CLOSE.internalError, 'could not store your update; reconnect to retry')
      throw err
    }
  }

  #hold(q: QueuedUpdate): void {
    this.#held.push(q)
    this.#heldBytes += q.update.length
  }

  /** Applies held updates whose dependencies have arrived (one may unblock the next). */
  #applyReady(): void {
    let progress = this.#held.length > 0
    while (progress) {
      progress = false
      for (let i = 0; i < this.#held.length; i++) {
        const q = this.#held[i]
        if (!needsMet(this.doc, q.needs)) continue
        this.#held.splice(i--, 1)
        this.#heldBytes -= q.update.length
        this.#applyOne(q)
        progress = true
      }
    }
  }

  #applyOne(q: QueuedUpdate): void {
    const { writer } = q
    const origin: TransactionOrigin = writer.conn
      ? { source: 'connection', principal: writer.principal, connectionId: writer.conn.id }
      : { source: 'server', principal: writer.principal, reason: writer.reason }
    this.#currentSender = writer.conn
    try {
      const ext = this.opts.extension
      if (ext) {
        const session = writer.conn ? String(writer.conn.id) : `server:${writer.principal}`
        // A server write was made on a copy of the whole room: its writer had seen everything.
        inDetectSpan(q.span, () => ext.integrate(this.doc, q.update, { principal: writer.principal, session, message: q.message, knowsAll: !writer.conn, origin }, q.causal))
      } else {
        Y.applyUpdate(this.doc, q.update, origin)
      }
    } catch (err) {
      // Decoded but Yjs could not apply it (a crafted update). It is stored already; load()
      // replays it the same way. Keep applying the rest of the batch: it is stored too.
      this.opts.logger.warn({ err, room: this.name, principal: writer.principal }, 'stored update failed to apply')
      this.opts.metrics.refused.inc({ reason: 'apply_failed' })
      writer.conn?.close(CLOSE.invalidPayload, 'update could not be applied')
    } finally {
      this.#currentSender = null
    }
    this.opts.metrics.updatesIn.inc()
  }

  /**
   * Sends what the batch changed, merged into messages of at most MERGE_BYTES (an update
   * bigger than that goes alone): a message with one writer goes to everyone but that
   * writer, a mixed one to everyone. Merging saves frames for many small edits; the cap keeps
   * big floods from being copied into one huge message.
   */
  #sendOutgoing(updates: QueuedUpdate[]): void {
    const out = this.#outgoing ?? []
    this.#outgoing = null
    for (const chunk of chunksOf(out)) {
      const msg = updateMessage(chunk.updates.length === 1 ? chunk.updates[0] : Y.mergeUpdates(chunk.updates))
      for (const conn of this.connections) if (conn !== chunk.sender) conn.send(msg)
    }
    if (out.length === 0) return
    const ext = this.opts.extension
    if (ext) {
      for (const conn of this.connections) {
        ext.delivered(String(conn.id), conn.ctx.principal)
        conn.probe()
      }
    }
    const now = performance.now()
    for (const u of updates) {
      this.opts.metrics.broadcastSeconds.observe((now - u.receivedAt) / 1000)
      u.span?.addEvent('broadcast', { 'polyphony.peers': this.connections.size })
      u.span?.end()
    }
  }

  #currentSender: Connection | null = null
  /** Changes applied in the batch being flushed, with the connection that sent each. */
  #outgoing: Array<{ update: Uint8Array; sender: Connection | null }> | null = null

  #broadcastUpdate = (update: Uint8Array): void => {
    if (this.#outgoing) {
      this.#outgoing.push({ update, sender: this.#currentSender })
      return
    }
    const msg = updateMessage(update)
    for (const conn of this.connections) conn.send(msg)
  }
}

/** Updates up to this size are merged into one broadcast message. */
const MERGE_BYTES = 256 * 1024

interface OutgoingChunk {
  updates: Uint8Array[]
  /** The one connection that sent every update of the chunk, or null (mixed or server). */
  sender: Connection | null
}

/** Consecutive outgoing updates grouped into chunks of at most MERGE_BYTES (or one bigger update). */
function chunksOf(out: Array<{ update: Uint8Array; sender: Connection | null }>): OutgoingChunk[] {
  const chunks: OutgoingChunk[] = []
  let current: OutgoingChunk | null = null
  let bytes = 0
  for (const { update, sender } of out) {
    if (!current || bytes + update.length > MERGE_BYTES) {
      current = { updates: [], sender }
      chunks.push(current)
      bytes = 0
    }
    if (current.sender !== sender) current.sender = null
    current.updates.push(update)
    bytes += update.length
  }
  return chunks
}
