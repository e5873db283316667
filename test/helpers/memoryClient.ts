// A Y.Doc-driven sync client over a MemorySocket: speaks y-protocols the way the stock
// y-websocket provider does (sync step 1 on open, answers every step 1 with a step 2, sends
// each local update, keeps offline edits in its document and syncs them on reconnect).

import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import {
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_PERSISTED,
  MESSAGE_SYNC,
  readPermissionDenied,
  readPersistedReply,
  syncStep1Message,
  updateMessage,
} from '../../shared/wire/index.ts'
import { MemorySocket, type CloseEvent } from './memorySocket.ts'

export interface MemoryClientOptions {
  canWrite?: boolean
  /** Ask for MESSAGE_PERSISTED acknowledgements (?persisted=1). */
  wantsPersisted?: boolean
  doc?: Y.Doc
}

/** Where a client opens its sockets (a MemoryCore; a restarted core is another one). */
export interface MemoryServer {
  open(client: MemoryClient, socket: MemorySocket): void
}

export class MemoryClient {
  readonly doc: Y.Doc
  readonly canWrite: boolean
  readonly wantsPersisted: boolean
  /** Closes the server sent, in order. */
  readonly closes: CloseEvent[] = []
  /** Permission-denied reasons the server sent. */
  readonly denials: string[] = []
  /** Request ids of MESSAGE_PERSISTED replies (0: unsolicited "persisted up to"). */
  readonly persisted: number[] = []
  /** Whether the server's sync step 2 arrived on the current socket. */
  synced = false
  socket: MemorySocket | null = null

  constructor(
    readonly room: string,
    readonly principal: string,
    opts: MemoryClientOptions = {},
  ) {
    this.doc = opts.doc ?? new Y.Doc()
    this.canWrite = opts.canWrite ?? true
    this.wantsPersisted = opts.wantsPersisted ?? false
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this) this.socket?.send(updateMessage(update))
    })
  }

  get connected(): boolean {
    return this.socket !== null
  }

  /** Opens a socket on `server` and starts the handshake (queued: nothing moves until delivered). */
  connect(server: MemoryServer): void {
    if (this.socket) throw new Error(`${this.principal} on ${this.room} is already connected: disconnect first`)
    const socket: MemorySocket = new MemorySocket({
      message: (data) => this.#receive(data),
      closed: (event) => {
        this.closes.push(event)
        if (this.socket === socket) this.#drop()
      },
    })
    this.socket = socket
    this.synced = false
    server.open(this, socket)
    socket.send(syncStep1Message(this.doc))
  }

  /** Closes the current socket from this side (the server hears it after what was sent before). */
  disconnect(): void {
    this.socket?.close()
    this.#drop()
  }

  /** Sends any bytes on the current socket (hostile frames). */
  sendRaw(frame: Uint8Array): void {
    if (!this.socket) throw new Error('not connected')
    this.socket.send(frame)
  }

  text(name = 'main'): Y.Text {
    return this.doc.getText(name)
  }

  #drop(): void {
    this.socket = null
    this.synced = false
  }

  #receive(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data)
    const type = decoding.readVarUint(decoder)
    if (type === MESSAGE_SYNC) {
      const reply = encoding.createEncoder()
      encoding.writeVarUint(reply, MESSAGE_SYNC)
      const subtype = syncProtocol.readSyncMessage(decoder, reply, this.doc, this)
      if (subtype === syncProtocol.messageYjsSyncStep2) this.synced = true
      if (encoding.length(reply) > 1) this.socket?.send(encoding.toUint8Array(reply))
    } else if (type === MESSAGE_AUTH) {
      const reason = readPermissionDenied(decoder)
      if (reason !== null) this.denials.push(reason)
    } else if (type === MESSAGE_PERSISTED) {
      this.persisted.push(readPersistedReply(decoder).requestId)
    } else if (type !== MESSAGE_AWARENESS) {
      throw new Error(`the server sent an unknown message type ${type}`)
    }
  }
}
