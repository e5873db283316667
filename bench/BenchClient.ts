// A lean headless y-websocket client used for both targets: one Y.Doc, one socket, the
// standard sync protocol from y-protocols. Lighter than WebsocketProvider (no awareness,
// no reconnect), so 50-1,000 of them fit in a few worker processes.
//
// `ack()` is the one place the targets differ: Polyphony answers message type 100 once
// everything sent before it is durable; the reference has no such message, so a sync
// step 1 round trip (answered after every earlier message was applied) stands in.

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import WebSocket from 'ws'
import { MESSAGE_PERSISTED, MESSAGE_SYNC } from '../shared/protocol.ts'

export type AckMode = 'persisted' | 'roundtrip'

export interface BenchClientOptions {
  url: string
  clientId: number
  ackMode: AckMode
  /** false: incoming updates are counted, not applied (writers that only ingest). */
  applyRemote?: boolean
  /** Called after a remote update was applied, with the time its message arrived. */
  onRemote?: (client: BenchClient, receivedAt: number) => void
}

const REMOTE = Symbol('remote')

/** One clock for every process of the benchmark: wall-clock based, sub-millisecond. */
export const now = (): number => performance.timeOrigin + performance.now()

export class BenchClient {
  readonly doc = new Y.Doc()
  readonly ws: WebSocket
  bytesIn = 0
  messagesIn = 0
  /** Arrival time of the message being handled (observers run inside its handler). */
  lastReceivedAt = 0
  /** Arrival time of the last message that carried document content. */
  lastRemoteAt = 0
  /** When the socket was asked to open, and when the first sync step 2 arrived. */
  readonly startedAt = now()
  syncedAt = 0
  bytesAtSync = 0
  closed: { code: number; reason: string } | null = null
  readonly synced: Promise<void>
  #resolveSynced!: () => void
  #rejectSynced!: (err: Error) => void
  #acks = new Map<number, () => void>()
  #roundtrips: Array<() => void> = []
  #nextAck = 1
  #capture: Uint8Array[] | null = null

  constructor(private readonly opts: BenchClientOptions) {
    this.doc.clientID = opts.clientId
    this.synced = new Promise((resolve, reject) => {
      this.#resolveSynced = resolve
      this.#rejectSynced = reject
    })
    this.synced.catch(() => {})
    this.ws = new WebSocket(opts.url, { perMessageDeflate: false })
    this.ws.binaryType = 'nodebuffer'
    this.ws.on('open', () => {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.writeSyncStep1(encoder, this.doc)
      this.ws.send(encoding.toUint8Array(encoder))
    })
    this.ws.on('message', (data: Buffer) => this.#onMessage(data))
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() }
      this.#rejectSynced(new Error(`socket closed ${code} ${reason.toString()}`))
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
    return captured.map(updateMessage)
  }

  sendUpdate(update: Uint8Array): void {
    this.ws.send(updateMessage(update))
  }

  sendRaw(message: Uint8Array): void {
    this.ws.send(message)
  }

  /** Resolves once the server has (durably, for Polyphony) taken everything sent before. */
  ack(mode: AckMode = this.opts.ackMode): Promise<void> {
    return new Promise((resolve) => {
      const encoder = encoding.createEncoder()
      if (mode === 'persisted') {
        const id = this.#nextAck++
        this.#acks.set(id, resolve)
        encoding.writeVarUint(encoder, MESSAGE_PERSISTED)
        encoding.writeVarUint(encoder, id)
      } else {
        this.#roundtrips.push(resolve)
        encoding.writeVarUint(encoder, MESSAGE_SYNC)
        syncProtocol.writeSyncStep1(encoder, this.doc)
      }
      this.ws.send(encoding.toUint8Array(encoder))
    })
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
    const type = decoding.readVarUint(decoder)
    if (type === MESSAGE_SYNC) return this.#onSync(decoder, receivedAt)
    if (type === MESSAGE_PERSISTED) {
      const id = decoding.readVarUint(decoder)
      this.#acks.get(id)?.()
      this.#acks.delete(id)
    }
    // awareness and auth messages carry nothing the benchmark needs
  }

  #onSync(decoder: decoding.Decoder, receivedAt: number): void {
    const subtype = decoding.peekVarUint(decoder)
    const isStep2 = subtype === syncProtocol.messageYjsSyncStep2
    if (this.opts.applyRemote === false && subtype === syncProtocol.messageYjsUpdate) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    syncProtocol.readSyncMessage(decoder, encoder, this.doc, REMOTE)
    if (encoding.length(encoder) > 1) this.ws.send(encoding.toUint8Array(encoder))
    if (isStep2) {
      if (!this.syncedAt) {
        this.syncedAt = now()
        this.bytesAtSync = this.bytesIn
        this.#resolveSynced()
      } else {
        this.#roundtrips.shift()?.()
      }
    }
    if (subtype !== syncProtocol.messageYjsSyncStep1) {
      this.lastRemoteAt = receivedAt
      this.opts.onRemote?.(this, receivedAt)
    }
  }
}

function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeUpdate(encoder, update)
  return encoding.toUint8Array(encoder)
}
