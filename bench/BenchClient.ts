// A lean headless Yjs client used for every target: one Y.Doc, one socket, the standard
// sync protocol from y-protocols. Lighter than WebsocketProvider (no awareness, no
// reconnect), so 50-1,000 of them fit in a few worker processes.
//
// The targets differ in their dialect (see Dialect): how a message is framed and what
// `ack()` waits for.

import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import WebSocket from 'ws'
import { MESSAGE_PERSISTED, MESSAGE_SYNC, persistedRequest, readPersistedReply, readSync, syncStep1Message, syncStep2Message, updateMessage } from '../shared/wire/index.ts'

/**
 * - `polyphony`: y-websocket framing; `ack()` sends message type 100, answered once
 *   everything sent before it is durable.
 * - `y-websocket`: the reference has no ack message, so a sync step 1 round trip (answered
 *   after every earlier message was applied) stands in.
 * - `hocuspocus`: every message starts with the document name (the bench uses the URL's
 *   path); the socket opens with an Auth message (any token: the bench server has no auth
 *   hook), and the server answers each update and step 2 with a SyncStatus message, which
 *   `ack()` counts, as HocuspocusProvider counts its unsynced changes.
 */
export type Dialect = 'polyphony' | 'y-websocket' | 'hocuspocus'

/** Hocuspocus message types (@hocuspocus/server MessageType) the bench uses. */
const HP_SYNC = 0
const HP_AUTH = 2
const HP_AUTH_TOKEN = 0
const HP_SYNC_STATUS = 8

export interface BenchClientOptions {
  url: string
  clientId: number
  dialect: Dialect
  /** false: incoming updates are counted, not applied (writers that only ingest). */
  applyRemote?: boolean
  /**
   * Also send, right after each incoming update, the sync step 2 this client would send answering
   * a Polyphony probe (its delete set: nothing the server lacks). A reference server reads and
   * applies it as a no-op, so it carries the traffic of Polyphony's probes (target reference-answers).
   */
  answerUpdates?: boolean
  /** Called after remote updates were applied, with the arrival time of the last one. */
  onRemote?: (client: BenchClient, receivedAt: number) => void
  /** Called with each remote update as it arrives, before it is applied. */
  onRemoteUpdate?: (update: Uint8Array, receivedAt: number) => void
}

const REMOTE = Symbol('remote')

/** One clock for every process of the benchmark: wall-clock based, sub-millisecond. */
export const now = (): number => performance.timeOrigin + performance.now()

export class BenchClient {
  readonly doc = new Y.Doc()
  readonly ws: WebSocket
  bytesIn = 0
  messagesIn = 0
  /** Arrival time of the last message. */
  lastReceivedAt = 0
  /** Arrival time of the last document update applied. */
  lastRemoteAt = 0
  /** When the socket was asked to open, and when the first sync step 2 arrived. */
  readonly startedAt = now()
  syncedAt = 0
  bytesAtSync = 0
  closed: { code: number; reason: string } | null = null
  readonly synced: Promise<void>
  #resolveSynced!: () => void
  #rejectSynced!: (err: Error) => void
  #acks = new Map<number, { resolve: () => void; reject: (err: Error) => void }>()
  #roundtrips: Array<{ resolve: () => void; reject: (err: Error) => void }> = []
  #nextAck = 1
  #capture: Uint8Array[] | null = null
  /** hocuspocus: the document name every message starts with, encoded once. */
  readonly #address: Uint8Array | null
  /** hocuspocus: updates and step 2s sent, and SyncStatus answers received. */
  #statusSent = 0
  #statusReceived = 0
  #statusWaiters: Array<{ until: number; resolve: () => void; reject: (err: Error) => void }> = []

  constructor(private readonly opts: BenchClientOptions) {
    this.doc.clientID = opts.clientId
    this.synced = new Promise((resolve, reject) => {
      this.#resolveSynced = resolve
      this.#rejectSynced = reject
    })
    this.synced.catch(() => {})
    this.ws = new WebSocket(opts.url, { perMessageDeflate: false })
    this.ws.binaryType = 'nodebuffer'
    if (opts.dialect === 'hocuspocus') {
      const address = encoding.createEncoder()
      encoding.writeVarString(address, new URL(opts.url).pathname)
      this.#address = encoding.toUint8Array(address)
    } else this.#address = null
    this.ws.on('open', () => {
      if (this.#address) {
        const auth = encoding.createEncoder()
        encoding.writeVarUint(auth, HP_AUTH)
        encoding.writeVarUint(auth, HP_AUTH_TOKEN)
        encoding.writeVarString(auth, 'bench')
        this.ws.send(this.#frame(encoding.toUint8Array(auth)))
      }
      this.ws.send(this.#frame(syncStep1Message(this.doc)))
    })
    this.ws.on('message', (data: Buffer) => this.#onMessage(data))
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() }
      const err = new Error(`socket closed ${code} ${reason.toString()}`)
      this.#rejectSynced(err)
      for (const waiter of [...this.#acks.values(), ...this.#roundtrips, ...this.#statusWaiters]) waiter.reject(err)
      this.#acks.clear()
      this.#roundtrips = []
      this.#statusWaiters = []
    })
    this.ws.on('error', (err) => this.#rejectSynced(err))
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return
      if (this.#capture) this.#capture.push(update)
      else this.sendUpdate(update)
    })
  }

  get text(): Y.Text {
    return this.doc.getText('main')
  }

  /** Runs `edits` without sending: returns the update messages to send later, at full speed. */
  prepare(edits: () => void): Uint8Array[] {
    const captured: Uint8Array[] = []
    this.#capture = captured
    try {
      edits()
    } finally {
      this.#capture = null
    }
    return captured.map((u) => this.#frame(updateMessage(u)))
  }

  sendUpdate(update: Uint8Array): void {
    this.#sendSync(updateMessage(update))
  }

  /** Sends one message from prepare() (already framed; each is one update). */
  sendRaw(message: Uint8Array): void {
    this.#statusSent++
    this.ws.send(message)
  }

  /** Resolves once the server has (durably, for Polyphony) taken everything sent before. */
  ack(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error(`socket closed ${this.closed.code} ${this.closed.reason}`))
      if (this.opts.dialect === 'polyphony') {
        const id = this.#nextAck++
        this.#acks.set(id, { resolve, reject })
        this.ws.send(persistedRequest(id))
      } else if (this.opts.dialect === 'hocuspocus') {
        if (this.#statusReceived >= this.#statusSent) return resolve()
        this.#statusWaiters.push({ until: this.#statusSent, resolve, reject })
      } else {
        this.#roundtrips.push({ resolve, reject })
        this.ws.send(syncStep1Message(this.doc))
      }
    })
  }

  /** hocuspocus: prefixes the document name; other dialects send the message as it is. */
  #frame(message: Uint8Array): Uint8Array {
    if (!this.#address) return message
    const framed = new Uint8Array(this.#address.length + message.length)
    framed.set(this.#address)
    framed.set(message, this.#address.length)
    return framed
  }

  /** An update or step 2: Hocuspocus answers each with one SyncStatus. */
  #sendSync(message: Uint8Array): void {
    this.#statusSent++
    this.ws.send(this.#frame(message))
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve())
      this.ws.close()
    })
  }

  #onMessage(data: Buffer): void {
    const receivedAt = now()
    this.lastReceivedAt = receivedAt
    this.bytesIn += data.length
    this.messagesIn++
    const decoder = decoding.createDecoder(data)
    if (this.#address) return this.#onHocuspocus(decoder, receivedAt)
    const type = decoding.readVarUint(decoder)
    if (type === MESSAGE_SYNC) return this.#onSync(decoder, receivedAt)
    if (type === MESSAGE_PERSISTED) {
      const { requestId } = readPersistedReply(decoder)
      this.#acks.get(requestId)?.resolve()
      this.#acks.delete(requestId)
    }
    // awareness and auth messages carry nothing the benchmark needs
  }

  #onHocuspocus(decoder: decoding.Decoder, receivedAt: number): void {
    decoding.readVarString(decoder) // the document name: one per client
    const type = decoding.readVarUint(decoder)
    if (type === HP_SYNC) return this.#onSync(decoder, receivedAt)
    if (type === HP_SYNC_STATUS) {
      this.#statusReceived++
      while (this.#statusWaiters.length && this.#statusWaiters[0].until <= this.#statusReceived) this.#statusWaiters.shift()!.resolve()
    }
    if (type === HP_AUTH && decoding.readVarUint(decoder) !== 2 /* Authenticated */) this.ws.close(4000, 'hocuspocus refused the bench client')
    // awareness and the rest carry nothing the benchmark needs
  }

  #onSync(decoder: decoding.Decoder, receivedAt: number): void {
    const { subtype, payload } = readSync(decoder)
    if (subtype === syncProtocol.messageYjsSyncStep1) {
      this.#sendSync(syncStep2Message(Y.encodeStateAsUpdate(this.doc, payload)))
      return
    }
    const update = payload
    if (subtype === syncProtocol.messageYjsUpdate) {
      if (this.opts.applyRemote === false) return
      if (this.opts.answerUpdates) this.#sendSync(syncStep2Message(Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.doc))))
      this.opts.onRemoteUpdate?.(update, receivedAt)
      this.#pending.push(update)
      this.#pendingAt = receivedAt
      if (this.#pending.length === 1) setImmediate(this.#applyPending)
      return
    }
    // sync step 2: the answer to our step 1 (first: the initial sync; later: an ack round trip)
    this.#pending.push(update)
    this.#pendingAt = receivedAt
    this.#applyPending()
    if (!this.syncedAt) {
      this.syncedAt = now()
      this.bytesAtSync = this.bytesIn
      this.#resolveSynced()
    } else {
      this.#roundtrips.shift()?.resolve()
    }
  }

  // Updates that arrive in one turn of the event loop are applied in one transaction, as
  // a client that keeps up would; their arrival times were recorded as they came in.
  #pending: Uint8Array[] = []
  #pendingAt = 0
  #applyPending = (): void => {
    if (this.#pending.length === 0) return
    const batch = this.#pending
    this.#pending = []
    Y.transact(
      this.doc,
      () => {
        for (const u of batch) Y.applyUpdate(this.doc, u, REMOTE)
      },
      REMOTE,
    )
    this.lastRemoteAt = this.#pendingAt
    this.opts.onRemote?.(this, this.#pendingAt)
  }
}
