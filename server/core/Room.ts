// A room: one Yjs document, its awareness, the connections on it and its durable log.
//
// The invariant that matters: an update is appended to storage *before* it is applied,
// broadcast or acknowledged. The room's WriteQueue is that path, and the only writer of the
// document once it has loaded; the room fans out what it applied and folds the log.

import * as Y from 'yjs'
import type { Logger } from 'pino'
import type { DocumentStorage, RoomState } from '../storage/DocumentStorage.ts'
import type { ServerMetrics } from '../metrics.ts'
import type { TransactionOrigin } from '../../shared/origin.ts'
import type { Limits } from './limits.ts'
import type { Clock } from './clock.ts'
import type { Connection, ConnectionRoom } from './Connection.ts'
import { CLOSE, syncStep1Message, syncStep2Message, updateMessage } from '../../shared/wire/index.ts'
import { RoomPresence } from './RoomPresence.ts'
import { chunksOf, mergeChunk, type Change } from './broadcastChunks.ts'
import { WriteQueue } from './WriteQueue.ts'
import type { Offer, Offered } from './offer.ts'
import type { RoomExtension } from './RoomExtension.ts'
import type { CompactionStats } from '../storage/compaction.ts'
import { encodeIntegratedState } from './integratedState.ts'
import { hasNoneOf, snapshotIsWholeDocument } from './loadedSnapshot.ts'

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
  /**
   * Called when the room must stop serving: its document took a change that was never stored,
   * or another instance took the room over (see lose()). The core drops it, without releasing it.
   */
  onBroken: (room: Room) => void
  shouldCompact: (stats: CompactionStats) => boolean
  /** Version history (shared rooms): client id ownership, versions before server writes. */
  history?: RoomHistory
  /** The idle timer and the times stored with updates. */
  clock: Clock
}

/** What version history needs from a room (server/history/VersionService.ts). */
export interface RoomHistory {
  /** The room has loaded its stored state (it serves once this resolves). */
  loaded(room: Room): void | Promise<void>
  /**
   * Null, or why `principal` may not add structs under one of `clients` (another writer's ids);
   * a promise when the claim is being stored (the update waits for it before it is stored).
   */
  claimClients(principal: string, clients: number[]): string | null | Promise<string | null>
  /** Called before a server write's mutation runs, with everything queued before it applied. */
  beforeServerWrite(room: Room, write: { principal: string; reason: string; clientId: number }): void | Promise<void>
}

export class Room implements ConnectionRoom {
  readonly name: string
  readonly doc: Y.Doc
  readonly presence: RoomPresence
  readonly connections = new Set<Connection>()
  readonly #writes: WriteQueue
  #snapshotSeq = 0
  #snapshotBytes = 0
  #updatesSinceSnapshot = 0
  #bytesSinceSnapshot = 0
  #idleTimer: unknown = null
  #closed = false
  /** The document holds a change storage lacks (see #quarantine). */
  #broken = false
  /** Another instance owns the room now (see lose()): nothing more is stored or served from here. */
  #lost = false
  /** The sync step 1 of the document as it stands (null once a transaction may have changed it). */
  #step1: Uint8Array | null = null
  /**
   * The snapshot the room loaded, while the document is exactly it (null once a transaction may
   * have changed it): the sync step 2 of a client that has nothing (see loadedSnapshot.ts). Only
   * the bytes storage returned are kept; each reply frames them anew (a cached message would keep
   * its frame too, twice the document's size for a room nobody edits).
   */
  #loadedSnapshot: Uint8Array | null = null

  constructor(private readonly opts: RoomOptions) {
    this.name = opts.name
    // The room's name is its guid: Yjs otherwise draws a random uuid through ~30 crypto calls
    // (0.3 ms per room, a tenth of a 1,000-room connect burst's CPU); nothing reads it.
    this.doc = new Y.Doc({ gc: opts.extension?.gc ?? true, guid: opts.name })
    this.presence = new RoomPresence(this.doc, () => this.connections)
    this.doc.on('afterTransaction', () => {
      this.#step1 = null
      this.#loadedSnapshot = null
    })
    const { history } = opts
    this.#writes = new WriteQueue({
      name: opts.name,
      doc: this.doc,
      storage: opts.storage,
      limits: opts.limits,
      metrics: opts.metrics,
      logger: opts.logger,
      clock: opts.clock,
      extension: opts.extension,
      claimClients: history && ((principal, clients) => history.claimClients(principal, clients)),
      beforeServerWrite: history && ((write) => history.beforeServerWrite(this, write)),
      broadcast: (changes) => this.#broadcast(changes),
      appended: (updates, bytes) => {
        this.#updatesSinceSnapshot += updates
        this.#bytesSinceSnapshot += bytes
      },
      drained: () => void this.compactIfNeeded().catch((err: unknown) => this.opts.logger.error({ err, room: this.name }, 'compaction failed')),
      bypassed: () => this.#quarantine(),
      fenced: () => this.lose('an append was refused: the room has a newer owner'),
    })
  }

  async load(): Promise<void> {
    const state = await this.opts.storage.load(this.name)
    if (this.opts.extension) await this.opts.extension.load(this.doc, state)
    else this.#applyStored(state)
    this.#loadedSnapshot = snapshotIsWholeDocument(this.doc, state)
    this.#snapshotSeq = state.snapshotSeq
    this.#snapshotBytes = state.snapshot?.byteLength ?? 0
    this.#writes.open(state.updates.at(-1)?.seq ?? state.snapshotSeq)
    this.#updatesSinceSnapshot = state.updates.length
    this.#bytesSinceSnapshot = state.updates.reduce((n, u) => n + u.data.length, 0)
    await this.opts.history?.loaded(this)
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

  /** Highest storage seq applied to `doc`; every lower seq is applied too. */
  get appliedSeq(): number {
    return this.#writes.appliedSeq
  }

  /** Entries waiting in the write queue (updates and the acknowledgements in order with them). */
  get queuedUpdates(): number {
    return this.#writes.queuedUpdates
  }

  /** Bytes of updates waiting to be stored and applied. */
  get queuedBytes(): number {
    return this.#writes.queuedBytes
  }

  /** Updates held back for missing dependencies, counting queued updates that will be. */
  get pendingUpdates(): number {
    return this.#writes.pendingUpdates
  }

  /** Bytes held back for missing dependencies, counting queued updates that will be. */
  pendingBytes(): number {
    return this.#writes.pendingBytes()
  }

  addConnection(conn: Connection): void {
    this.connections.add(conn)
    if (this.#idleTimer) this.opts.clock.clearTimeout(this.#idleTimer)
    this.#idleTimer = null
  }

  removeConnection(conn: Connection): void {
    if (!this.connections.delete(conn)) return
    // Updates it sent may still be queued: they are judged with what the session had seen, so the
    // extension forgets the session only after them, in queue order.
    this.#writes.closed(conn)
    this.presence.release(conn)
    this.armIdle()
  }

  /** Starts the idle countdown if nobody is connected (also for rooms loaded by the API). */
  armIdle(): void {
    if (this.connections.size > 0 || this.#closed) return
    if (this.#idleTimer) this.opts.clock.clearTimeout(this.#idleTimer)
    this.#idleTimer = this.opts.clock.setTimeout(() => this.opts.onIdle(this), this.opts.limits.idleRoomMs)
  }

  /** An update from `conn`, for durable append (see WriteQueue.offer). */
  offer(conn: Connection, update: Uint8Array, how: Offered): Offer {
    return this.#writes.offer(conn, update, how)
  }

  /**
   * Writes as the server on behalf of `principal` (task reflection, conflict resolution,
   * demo content) through the same durable path as socket updates. Resolves once stored.
   */
  writeAsServer(principal: string, reason: string, mutate: (doc: Y.Doc) => void): Promise<void> {
    if (this.#broken) return Promise.reject(new Error(`room ${this.name} was dropped after a change bypassed storage: load it again`))
    if (this.#lost) return Promise.reject(new Error(`room ${this.name} moved to another server instance: load it again`))
    return this.#writes.writeAsServer(principal, reason, mutate)
  }

  /** Replies to `conn` once everything it sent before this request is durable. */
  enqueueAck(conn: Connection, requestId: number): void {
    this.#writes.ack(conn, requestId)
  }

  /** `conn` has been sent the whole document state (sync step 2). */
  noteDelivered(conn: Connection): void {
    // An empty document (no structs, hence no deletions) delivered nothing: a probe's answer would
    // prove nothing the detector does not know already (its evidence for the session stays empty),
    // and a new room's client is spared a round trip. A document that has anything is probed.
    if (this.doc.store.clients.size === 0) return
    this.opts.extension?.delivered(String(conn.id), conn.ctx.principal)
    conn.probe()
  }

  /** Whether connections should probe what their client has integrated (see Connection.probe). */
  get wantsAcks(): boolean {
    return this.opts.extension?.wantsAcks ?? false
  }

  /**
   * Every connection is probed after every broadcast batch: one encoded state vector per
   * document state serves them all (the frame is only read by the sockets, never changed).
   */
  syncStep1(): Uint8Array {
    return (this.#step1 ??= syncStep1Message(this.doc))
  }

  /** The sync step 2 that answers a client's step 1 at `stateVector`: what of the integrated document it lacks. */
  syncStep2(stateVector: Uint8Array): Uint8Array {
    const snapshot = this.#loadedSnapshot
    return syncStep2Message(snapshot !== null && hasNoneOf(this.doc, stateVector) ? snapshot : encodeIntegratedState(this.doc, stateVector))
  }

  /** `conn` sent a probe (sync step 1) after what it was delivered. */
  noteProbed(conn: Connection): void {
    this.opts.extension?.probed(String(conn.id))
  }

  /** Resolves when everything queued so far is stored and applied. */
  drain(): Promise<void> {
    return this.#writes.drain()
  }

  /** Folds the log into a snapshot when the policy says the log has grown enough (`closing`: the room is unloading). */
  async compactIfNeeded(force = false, closing = false): Promise<void> {
    const stats = { updatesSinceSnapshot: this.#updatesSinceSnapshot, bytesSinceSnapshot: this.#bytesSinceSnapshot, snapshotBytes: this.#snapshotBytes, closing }
    // A change that bypassed storage must not reach it through a snapshot either.
    if (this.appliedSeq <= this.#snapshotSeq || this.#broken || this.#lost) return
    if (!force && !this.opts.shouldCompact(stats)) return
    const upto = this.appliedSeq
    // encodeStateAsUpdate includes what Yjs holds pending; add what the write queue holds back.
    const parts = [Y.encodeStateAsUpdate(this.doc), ...this.#writes.heldUpdates()]
    const snapshot = parts.length === 1 ? parts[0] : Y.mergeUpdates(parts)
    await this.opts.storage.compact(this.name, snapshot, upto)
    this.#snapshotSeq = upto
    this.#snapshotBytes = snapshot.byteLength
    this.#updatesSinceSnapshot = 0
    this.#bytesSinceSnapshot = 0
    this.opts.metrics.compactions.inc()
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#idleTimer) this.opts.clock.clearTimeout(this.#idleTimer)
    await this.drain()
    await this.compactIfNeeded(false, true)
    this.opts.extension?.destroy()
    this.presence.destroy()
    this.doc.destroy()
  }

  /**
   * Another instance took the room over (an append was fenced, or this instance's lease lapsed):
   * this document may be behind what is stored. Its sockets close with a code on which clients
   * reconnect (and reach the new owner), writes still queued are refused by storage and never
   * acknowledged, and the core drops the room without releasing it.
   */
  lose(why: string): void {
    if (this.#lost) return
    this.#lost = true
    this.opts.logger.warn({ room: this.name, why, connections: this.connections.size }, 'room lost to another instance')
    this.opts.metrics.roomsLost.inc()
    for (const conn of this.connections) conn.close(CLOSE.roomMoved, 'this room moved to another server instance; reconnect')
    this.opts.onBroken(this)
  }

  /**
   * A change reached the document around the write queue: the document now holds what storage
   * lacks, and nothing more is served from it. Its connections are closed (a transient code:
   * clients reconnect and resync), it is never compacted, and the core drops it so the next
   * use loads what is stored.
   */
  #quarantine(): void {
    if (this.#broken) return
    this.#broken = true
    for (const conn of this.connections) conn.close(CLOSE.internalError, 'the room is reloading after a server error; reconnect to resync')
    this.opts.onBroken(this)
  }

  /**
   * Sends what a batch changed: a message with one sender goes to everyone but that sender, a
   * mixed one to everyone. Then every connection has been sent everything (for the extension).
   * Returns how many connections it went to (for the update spans).
   */
  #broadcast(changes: Change[]): number {
    for (const chunk of chunksOf(changes)) {
      let msg: Uint8Array | null = null
      for (const conn of this.connections) {
        if (conn.id === chunk.sender) continue
        // Merged only when someone receives it (a lone writer's own edits go nowhere).
        msg ??= updateMessage(mergeChunk(chunk.updates))
        conn.send(msg)
      }
    }
    const ext = this.opts.extension
    if (ext) {
      for (const conn of this.connections) {
        ext.delivered(String(conn.id), conn.ctx.principal)
        conn.probe()
      }
    }
    return this.connections.size
  }
}
