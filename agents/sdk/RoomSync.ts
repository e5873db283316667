// One room for a headless client: a Y.Doc kept in a local store, synced through a stock
// y-websocket provider, with Polyphony's persisted acknowledgements and our own
// reconnect policy (exponential backoff with jitter; no retry after a final close, isFinalClose).

import * as Y from 'yjs'
import type * as decoding from 'lib0/decoding'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { EventEmitter } from 'node:events'
import { MESSAGE_PERSISTED, isFinalClose, persistedRequest, readPersistedReply, sendCausalMetadata } from '../../shared/wire/index.ts'
import { currentTraceparent } from '../../shared/telemetry/trace.ts'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../shared/backoff.ts'
import type { LocalStore } from './LocalStore.ts'

export type SyncState = 'connecting' | 'online' | 'offline' | 'denied'

export interface RoomSyncOptions {
  wsUrl: string
  room: string
  token: string
  store?: LocalStore
  backoff?: BackoffOptions
  /** Send causal metadata (MESSAGE_CAUSAL) before each local update: set for shared rooms. */
  causal?: boolean
}

export class RoomSync extends EventEmitter {
  readonly doc = new Y.Doc()
  readonly provider: WebsocketProvider
  readonly room: string
  state: SyncState = 'connecting'
  deniedReason: string | null = null
  /** The last state vector the server said is durable. */
  persistedStateVector: Uint8Array | null = null
  #attempt = 0
  #retry: NodeJS.Timeout | null = null
  #nextRequest = 1
  #waiting = new Map<number, () => void>()
  #unbind: (() => void) | null = null
  #destroyed = false
  readonly #store?: LocalStore

  constructor(opts: RoomSyncOptions) {
    super()
    this.room = opts.room
    this.#store = opts.store
    // Changes made here (not received from the server) are counted until the server says it
    // stored them, so an offline run can say how many wait to sync (and a restart still knows).
    if (opts.store) this.#unbind = opts.store.bind(opts.room, this.doc, opts.store, (origin) => origin !== this.provider)
    const backoff = opts.backoff ?? DEFAULT_BACKOFF
    this.provider = new WebsocketProvider(opts.wsUrl, opts.room, this.doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      params: { token: opts.token, persisted: '1' },
      disableBc: true,
      // Every server close comes back to us: we decide whether and when to reconnect.
      shouldReconnect: () => false,
    })
    this.provider.messageHandlers[MESSAGE_PERSISTED] = (_encoder, decoder) => this.#onPersisted(decoder)
    if (opts.causal)
      sendCausalMetadata(
        this.doc,
        () => (this.provider.wsconnected ? this.provider.ws : null),
        () => currentTraceparent(),
      )
    this.provider.on('sync', (synced: boolean) => {
      if (!synced) return
      this.#attempt = 0
      this.#setState('online')
    })
    this.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'disconnected') this.#setState('offline')
    })
    this.provider.on('closed', ({ code, reason }: { code: number; reason: string }) => {
      if (this.#destroyed) return
      if (isFinalClose(code)) {
        this.deniedReason = reason || `closed with ${code}`
        this.#setState('denied')
        return
      }
      this.#setState('offline')
      const delay = backoffDelay(this.#attempt++, backoff)
      this.#retry = setTimeout(() => this.provider.connect(), delay)
    })
  }

  /** Resolves once connected and in sync with the server (rejects if access is denied). */
  whenSynced(): Promise<void> {
    if (this.state === 'online' && this.provider.synced) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.state === 'denied') {
          this.off('state', check)
          reject(new Error(`access to ${this.room} denied: ${this.deniedReason}`))
        } else if (this.state === 'online' && this.provider.synced) {
          this.off('state', check)
          resolve()
        }
      }
      this.on('state', check)
    })
  }

  /**
   * Resolves when the server has durably stored everything this doc holds now: waits for a
   * connection, then asks for an acknowledgement that follows all our earlier messages.
   * Survives disconnects (asks again after the next sync).
   */
  async flushed(): Promise<void> {
    for (;;) {
      await this.whenSynced()
      const ws = this.provider.ws
      if (!ws || ws.readyState !== ws.OPEN) {
        await new Promise((resolve) => this.once('state', resolve))
        continue
      }
      const id = this.#nextRequest++
      const acked = new Promise<boolean>((resolve) => {
        this.#waiting.set(id, () => resolve(true))
        const onState = (s: SyncState) => {
          if (s !== 'online') {
            this.off('state', onState)
            this.#waiting.delete(id)
            resolve(false)
          }
        }
        this.on('state', onState)
        this.once(`ack:${id}`, () => this.off('state', onState))
      })
      ws.send(persistedRequest(id))
      if (await acked) return
    }
  }

  destroy(): void {
    this.#destroyed = true
    if (this.#retry) clearTimeout(this.#retry)
    this.provider.destroy()
    this.#unbind?.()
    this.doc.destroy()
  }

  #onPersisted(decoder: decoding.Decoder): void {
    const { requestId: id, stateVector } = readPersistedReply(decoder)
    this.persistedStateVector = stateVector
    if (this.#store && covers(this.persistedStateVector, Y.encodeStateVector(this.doc))) this.#store.clearPending(this.room)
    const done = this.#waiting.get(id)
    if (done) {
      this.#waiting.delete(id)
      done()
      this.emit(`ack:${id}`)
    }
    this.emit('persisted', this.persistedStateVector)
  }

  #setState(state: SyncState): void {
    if (this.state === state) return
    this.state = state
    this.emit('state', state)
  }
}

/** Whether state vector `stored` includes everything `local` has. */
function covers(stored: Uint8Array, local: Uint8Array): boolean {
  const have = Y.decodeStateVector(stored)
  for (const [client, clock] of Y.decodeStateVector(local)) if ((have.get(client) ?? 0) < clock) return false
  return true
}
