// One socket on one room: speaks the y-websocket protocol and enforces the per-connection
// rules (write rights, awareness ownership, rate, slow readers). Knows nothing of ws or HTTP.

import { FrameQueue } from './FrameQueue.ts'
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import type { CausalMeta } from './writer.ts'
import * as syncProtocol from 'y-protocols/sync'
import {
  CLOSE,
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_CAUSAL,
  MESSAGE_PERSISTED,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
  awarenessMessage,
  permissionDeniedMessage,
  readCausal,
  readPersistedRequest,
} from '../../shared/wire/index.ts'
import type { ConnectionContext, Transport } from './transport.ts'
import type { Limits } from './limits.ts'
import type { ServerMetrics } from '../metrics.ts'
import { TokenBucket } from './TokenBucket.ts'
import { systemClock, type Clock } from './clock.ts'
import type { Offer, Offered, Refusal } from './offer.ts'

/** What a connection needs from its room (Room implements it; Connection never imports Room). */
export interface ConnectionRoom {
  readonly doc: Y.Doc
  readonly presence: {
    /** Every awareness state the room holds as one message, or null when it holds none. */
    statesMessage(): Uint8Array | null
    /** Applies `conn`'s awareness update (throws if malformed), or says why not: a metric reason and a message. */
    receive(conn: Connection, update: Uint8Array): { reason: string; message: string } | null
  }
  /** Whether to probe what the client has integrated (see Connection.probe). */
  readonly wantsAcks: boolean
  /** Sync step 1 with the document's current state vector (shared by every connection until the document changes). */
  syncStep1(): Uint8Array
  /** Sync step 2 for a client at `stateVector` (well-formed): what of the integrated document it lacks. */
  syncStep2(stateVector: Uint8Array): Uint8Array
  addConnection(conn: Connection): void
  noteProbed(conn: Connection): void
  noteDelivered(conn: Connection): void
  /** Replies once everything `conn` sent before is durable (MESSAGE_PERSISTED). */
  enqueueAck(conn: Connection, requestId: number): void
  /** The one call that writes: queued, pause, skipped or refused (see offer.ts). */
  offer(conn: Connection, update: Uint8Array, how: Offered): Offer
}

let nextConnectionId = 1

/** An awareness update with no entries (a count of 0): the answer to a query in a room nobody announced in. */
const NO_STATES = Uint8Array.of(0)

/** The shortest pause of a socket over its rate limit (see #throttle). */
const RATE_PAUSE_MIN_MS = 200

export class Connection {
  readonly id = nextConnectionId++
  readonly awarenessIds = new Set<number>()
  #room: ConnectionRoom | null = null
  #early: Uint8Array[] = []
  #earlyBytes = 0
  #closed = false
  #causal: CausalMeta | null = null
  /** The state vector of the client's own sync step 1: what it had when it computes its sync reply. */
  #clientStateVector: Uint8Array | null = null
  /** Probes (sync step 1) sent and not answered yet, and whether another is due after them. */
  #probesOut = 0
  #probeDue = false
  #openingAnswered = false
  #pausedUntil = 0
  #pausedForQueue = false
  /** Messages that arrived while paused (the rest of the TCP chunk being parsed): run on resume. */
  #held = new FrameQueue()
  #messages: TokenBucket
  #bytes: TokenBucket

  constructor(
    readonly ctx: ConnectionContext,
    private readonly transport: Transport,
    private readonly limits: Limits,
    private readonly metrics: ServerMetrics,
    private readonly onClose: (conn: Connection) => void,
    private readonly clock: Clock = systemClock,
  ) {
    this.#messages = new TokenBucket(limits.messageBurst, limits.messagesPerSecond, clock)
    this.#bytes = new TokenBucket(limits.byteBurst, limits.bytesPerSecond, clock)
  }

  /** Bytes handed to the socket and not yet written (the send buffer a slow reader fills). */
  get sendBufferBytes(): number {
    return this.#closed ? 0 : this.transport.bufferedAmount()
  }

  /** Reads are paused: rate limit or a long room queue. */
  get isPaused(): boolean {
    return !this.#closed && this.#isPaused()
  }

  get isClosed(): boolean {
    return this.#closed
  }

  /** The room is loaded: start the sync handshake and replay what arrived meanwhile. */
  attach(room: ConnectionRoom): void {
    if (this.#closed) return
    this.#room = room
    room.addConnection(this)
    this.send(room.syncStep1())
    // The opening step 1 is the first probe: its answer (the client's sync reply) proves nothing
    // delivered yet, and it keeps the client's answers matched to probes in order.
    if (room.wantsAcks && this.ctx.canWrite) {
      this.#probesOut++
      room.noteProbed(this)
    }
    const presence = room.presence.statesMessage()
    if (presence) this.send(presence)
    const early = this.#early
    this.#early = []
    this.#earlyBytes = 0
    for (const data of early) {
      if (this.#closed) break // refused by an earlier message: the rest is not read
      this.#handle(data)
    }
  }

  receive(data: Uint8Array): void {
    if (this.#closed) return
    // Pausing the socket stops further reads, but frames already read keep arriving: hold
    // them, so a paused flooder really waits instead of being served from its last chunk.
    if (this.#held.length > 0 || this.#isPaused()) {
      if (data.length > this.limits.maxMessageBytes) return this.refuse(CLOSE.messageTooBig, 'message too big', 'too_big')
      this.#held.push(data)
      return
    }
    this.#accept(data)
  }

  #accept(data: Uint8Array): void {
    this.metrics.bytesIn.inc(data.length)
    if (data.length > this.limits.maxMessageBytes) return this.refuse(CLOSE.messageTooBig, 'message too big', 'too_big')
    this.#throttle(data.length)
    if (!this.#room) {
      if (this.#early.length >= this.limits.maxMessagesWhileLoading || this.#earlyBytes + data.length > this.limits.maxQueuedBytesPerRoom) {
        return this.refuse(CLOSE.policyViolation, 'too many messages before the room was ready', 'flood_loading')
      }
      this.#early.push(data)
      this.#earlyBytes += data.length
      return
    }
    this.#handle(data)
  }

  /**
   * Queues `data` for the peer. What waits for one socket (ws's queue and the kernel-side
   * writable buffer, both in bufferedAmount) never exceeds maxBufferedBytes, except a single
   * message sent when nothing waits (a large document's sync step 2): a reader that cannot
   * take the next message within the bound is cut, never waited for.
   */
  send(data: Uint8Array): void {
    if (this.#closed) return
    const waiting = this.transport.bufferedAmount()
    if (waiting > 0 && waiting + data.length > this.limits.maxBufferedBytes) {
      return this.refuse(CLOSE.slowReader, 'reader too slow; reconnect to resync', 'slow_reader')
    }
    this.metrics.bytesOut.inc(data.length)
    this.transport.send(data)
  }

  close(code: number, reason: string): void {
    if (this.#closed) return
    this.#markClosed()
    this.transport.close(code, reason)
    this.onClose(this)
  }

  /** The transport closed from the other side. */
  closedByPeer(): void {
    if (this.#closed) return
    this.#markClosed()
    this.onClose(this)
  }

  /** Nothing is read after a close: drop what was held for later at once (a room may keep this object a while). */
  #markClosed(): void {
    this.#closed = true
    this.#early = []
    this.#earlyBytes = 0
    this.#held.clear()
  }

  refuse(code: number, reason: string, metricReason: string): void {
    this.metrics.refused.inc({ reason: metricReason })
    this.close(code, reason)
  }

  /**
   * Asks the client to prove it integrated what it was sent: a sync step 1 after the delivery.
   * A y-websocket client handles messages in order and answers every step 1 with a step 2, so its
   * answer shows it had applied everything sent before (a socket buffer is not a reader). One probe
   * is outstanding at a time; deliveries meanwhile are covered by the next one.
   */
  probe(): void {
    const room = this.#room
    if (!room || !room.wantsAcks || !this.ctx.canWrite || this.#closed) return
    if (this.#probesOut > 0) {
      this.#probeDue = true
      return
    }
    this.#probeDue = false
    this.#probesOut++
    this.send(room.syncStep1())
    room.noteProbed(this)
  }

  /** The room counted the answer to a probe (in order with this connection's updates). */
  probeAnswered(): void {
    if (this.#probesOut > 0) this.#probesOut--
    if (this.#probeDue) this.probe()
  }

  /** Called by the write queue once it drained after it said pause: reads may resume. */
  roomDrained(): void {
    if (this.#pausedForQueue) {
      this.#pausedForQueue = false
      this.#tryResume()
    }
  }

  #isPaused(): boolean {
    return this.#pausedForQueue || this.clock.now() < this.#pausedUntil
  }

  #tryResume(): void {
    while (this.#held.length > 0 && !this.#closed && !this.#isPaused()) this.#accept(this.#held.shift() as Uint8Array)
    if (!this.#closed && !this.#isPaused()) this.transport.resume()
  }

  #resumeAfter(wait: number): void {
    this.clock.setTimeout(() => {
      if (this.#closed) return
      // Timers may fire a little before the clock reaches the deadline: wait the rest.
      const left = this.#pausedUntil - this.clock.now()
      if (left > 0) return this.#resumeAfter(left)
      this.#tryResume()
    }, wait)
  }

  #throttle(bytes: number): void {
    const owed = Math.max(this.#messages.take(1), this.#bytes.take(bytes))
    if (owed <= 0) return
    // Waiting only until the next message is allowed (~1 ms at 2,000/s) would read a throttled
    // socket one or two messages at a time, each its own durable commit; a longer pause reads the
    // same rate in slices that commit together (the bucket's debt keeps the rate exact).
    const wait = Math.max(owed, RATE_PAUSE_MIN_MS)
    this.metrics.refused.inc({ reason: 'rate_paused' })
    const now = this.clock.now()
    const until = now + wait
    if (until <= this.#pausedUntil) return
    const wasPaused = now < this.#pausedUntil
    this.#pausedUntil = until
    this.transport.pause()
    if (!wasPaused) this.#resumeAfter(wait)
  }

  #handle(data: Uint8Array): void {
    const room = this.#room
    if (!room) return
    try {
      const decoder = decoding.createDecoder(data)
      const type = decoding.readVarUint(decoder)
      switch (type) {
        case MESSAGE_SYNC:
          return this.#handleSync(room, decoder)
        case MESSAGE_AWARENESS:
          return this.#handleAwareness(room, decoding.readVarUint8Array(decoder))
        case MESSAGE_QUERY_AWARENESS:
          return this.send(room.presence.statesMessage() ?? awarenessMessage(NO_STATES))
        case MESSAGE_AUTH:
          return // clients have nothing to say here
        case MESSAGE_PERSISTED:
          this.ctx.wantsPersisted = true
          return room.enqueueAck(this, readPersistedRequest(decoder))
        case MESSAGE_CAUSAL:
          return this.#readCausal(decoder)
        default:
          return this.refuse(CLOSE.policyViolation, `unknown message type ${type}`, 'unknown_type')
      }
    } catch {
      this.refuse(CLOSE.invalidPayload, 'malformed message', 'malformed')
    }
  }

  #handleSync(room: ConnectionRoom, decoder: decoding.Decoder): void {
    const subtype = decoding.readVarUint(decoder)
    if (subtype === syncProtocol.messageYjsSyncStep1) {
      const stateVector = decoding.readVarUint8Array(decoder)
      Y.decodeStateVector(stateVector) // throws if malformed
      this.#clientStateVector = stateVector
      this.send(room.syncStep2(stateVector))
      return room.noteDelivered(this)
    }
    if (subtype !== syncProtocol.messageYjsSyncStep2 && subtype !== syncProtocol.messageYjsUpdate) {
      return this.refuse(CLOSE.invalidPayload, `unknown sync message ${subtype}`, 'malformed')
    }
    const update = decoding.readVarUint8Array(decoder)
    const message = subtype === syncProtocol.messageYjsSyncStep2 ? 'sync' : 'update'
    const answersProbe = message === 'sync' && this.#probesOut > 0
    const opening = this.#openingAnswered === false
    if (message === 'sync') this.#openingAnswered = true
    // Causal metadata describes the next incremental update only. A sync reply is described by
    // the client's own step 1: y-websocket computes the reply before it receives anything else.
    let causal = message === 'update' ? (this.#causal ?? undefined) : undefined
    if (message === 'sync' && this.#clientStateVector) causal = { stateVector: this.#clientStateVector }
    // After the opening exchange, a client's answer echoes what the room has or holds pending
    // itself: the room drops it when it adds nothing (see Offered.mayEcho).
    const offer = room.offer(this, update, { message, causal, answersProbe, mayEcho: answersProbe && !opening })
    if (offer.kind === 'skipped') return
    if (offer.kind === 'refused') return this.#refused(offer)
    if (message === 'sync') this.#clientStateVector = null
    this.#causal = null
    if (offer.kind === 'pause' && !this.#pausedForQueue) {
      this.#pausedForQueue = true
      this.transport.pause()
    }
  }

  /** A read-only writer is told and stays; anything else refused closes the connection. */
  #refused({ reason, message }: Refusal): void {
    if (reason === 'read_only') {
      this.metrics.refused.inc({ reason })
      return this.send(permissionDeniedMessage(message))
    }
    this.refuse(reason === 'malformed' ? CLOSE.invalidPayload : CLOSE.policyViolation, message, reason)
  }

  /** MESSAGE_CAUSAL: what this client had seen before its next update (validated whole). */
  #readCausal(decoder: decoding.Decoder): void {
    this.#causal = readCausal(decoder)
  }

  #handleAwareness(room: ConnectionRoom, update: Uint8Array): void {
    const refusal = room.presence.receive(this, update) // throws if malformed
    if (!refusal) return
    this.metrics.refused.inc({ reason: refusal.reason })
    this.send(permissionDeniedMessage(refusal.message))
  }
}
