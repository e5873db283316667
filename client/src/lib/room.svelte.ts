// One synced Yjs room: a Y.Doc kept in IndexedDB (works offline, survives reloads) and
// synced with the server by a stock y-websocket provider. Exposes a reactive connection
// state for the indicator and stops retrying when the server says retrying cannot help.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as decoding from 'lib0/decoding'
import { MESSAGE_AUTH, MESSAGE_AWARENESS, PERSISTED_QUERY_PARAM, awarenessMessage, isFinalClose, readPermissionDenied, sendCausalMetadata } from '../../../shared/wire/index.ts'
import { describeClose, type Problem } from './messages.ts'
import { PersistedTracker } from './persisted.ts'
import { encodeAwarenessEntries, parseAwarenessUpdate, readPresence, type AwarenessEntry } from '../../../shared/presence/index.ts'

export type ConnectionState = 'offline' | 'connecting' | 'syncing' | 'saved' | 'stopped'

export interface RoomClosed {
  code: number
  reason: string
  problem: Problem
}

export interface RoomOptions {
  /** Room name, e.g. `acme/shared`. */
  name: string
  /** `ws(s)://host`; the provider connects to `<wsBase>/sync/<name>`. */
  wsBase: string
  token: string
  /** Prefix of the IndexedDB database, so identities sharing a browser do not share caches. */
  storePrefix: string
}

const SEVERITY: ConnectionState[] = ['saved', 'syncing', 'connecting', 'offline', 'stopped']

/** The state to show for several rooms at once: the worst one. */
export function worstState(states: ConnectionState[]): ConnectionState {
  return states.reduce((worst, s) => (SEVERITY.indexOf(s) > SEVERITY.indexOf(worst) ? s : worst), 'saved')
}

export class Room {
  readonly name: string
  readonly doc = new Y.Doc()
  readonly provider: WebsocketProvider
  readonly local: IndexeddbPersistence
  readonly #tracker: PersistedTracker

  #status = $state<'connecting' | 'connected' | 'disconnected'>('disconnected')
  #synced = $state(false)
  #loaded = $state(false)
  #pending = $state(0)
  #unsavedEdits = $state(0)
  #closed = $state<RoomClosed | null>(null)
  #online = $state(navigator.onLine)
  #denied = $state<string | null>(null)
  #unsavedLocally = $state(0)

  constructor({ name, wsBase, token, storePrefix }: RoomOptions) {
    this.name = name
    this.local = new IndexeddbPersistence(storePrefix + name, this.doc)
    this.local.whenSynced.then(() => (this.#loaded = true))
    this.provider = new WebsocketProvider(`${wsBase}/sync`, name, this.doc, {
      connect: false,
      params: { token, [PERSISTED_QUERY_PARAM]: '1' },
      // Tabs sync through the server only: "came from the provider" then means "durable".
      disableBc: true,
      shouldReconnect: (event) => !isFinalClose(event.code),
    })
    this.doc.on('update', this.#trackLocalWrite)
    // Shared rooms: say what this tab had seen before each edit (exact conflict detection).
    if (name.endsWith('/shared')) sendCausalMetadata(this.doc, () => (this.provider.wsconnected ? this.provider.ws : null))
    this.#sendOwnAwarenessOnly()
    this.#sanitizePeerAwareness()
    this.#tracker = new PersistedTracker(
      this.doc,
      this.provider,
      () => {
        this.#pending = this.#tracker.pending
        this.#unsavedEdits = this.#tracker.unsavedEdits
      },
      (origin) => origin === this.local,
    )
    // The stock client only logs "permission denied"; keep the reason to show it.
    this.provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
      const reason = readPermissionDenied(decoder)
      if (reason !== null) this.#denied = reason
    }
    this.provider.on('status', ({ status }) => (this.#status = status))
    this.provider.on('sync', (synced: boolean) => (this.#synced = synced))
    this.provider.on('connection-close', (event) => {
      if (event === null) return
      const problem = describeClose(event.code, event.reason, name)
      if (problem && isFinalClose(event.code)) this.#closed = { code: event.code, reason: event.reason, problem }
    })
    window.addEventListener('online', this.#goOnline)
    window.addEventListener('offline', this.#goOffline)
    if (navigator.onLine) this.provider.connect()
  }

  /** Whether the IndexedDB copy has been loaded into the document. */
  get loaded(): boolean {
    return this.#loaded
  }

  get closed(): RoomClosed | null {
    return this.#closed
  }

  /** Updates not yet confirmed written to IndexedDB (a reload now could lose them). */
  get unsavedLocally(): number {
    return this.#unsavedLocally
  }

  /** The last "permission denied" the server sent (e.g. a write with read-only access). */
  get denied(): string | null {
    return this.#denied
  }

  dismissDenied(): void {
    this.#denied = null
  }

  get pending(): number {
    return this.#pending
  }

  /** Edits made in this tab not yet saved on the server (see PersistedTracker.unsavedEdits). */
  get unsavedEdits(): number {
    return this.#unsavedEdits
  }

  /** The browser's own idea of the network (false: certainly offline). */
  get online(): boolean {
    return this.#online
  }

  get state(): ConnectionState {
    if (this.#closed) return 'stopped'
    if (!this.#online || this.#status === 'disconnected') return 'offline'
    if (this.#status === 'connecting') return 'connecting'
    if (!this.#synced || this.#pending > 0) return 'syncing'
    return 'saved'
  }

  /** Try again after a final close (the person fixed the cause). */
  reconnect(): void {
    this.#closed = null
    if (navigator.onLine) this.provider.connect()
  }

  /** Drops the local copy too: used when the server says we may not read this room. */
  async forget(): Promise<void> {
    this.#disconnect()
    await this.local.clearData()
    this.doc.destroy()
  }

  destroy(): void {
    this.#disconnect()
    void this.local.destroy()
    this.doc.destroy()
  }

  #disconnect(): void {
    window.removeEventListener('online', this.#goOnline)
    window.removeEventListener('offline', this.#goOffline)
    this.#tracker.destroy()
    this.provider.destroy()
  }

  // y-indexeddb writes each update in its own transaction and does not say when it is done.
  // A read-only transaction on the same store created afterwards completes only after it.
  #trackLocalWrite = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.local) return
    this.#unsavedLocally++
    const done = (): void => {
      this.#unsavedLocally--
    }
    void this.local.whenSynced.then(() => {
      try {
        const tx = this.local.db!.transaction(['updates'], 'readonly')
        tx.oncomplete = tx.onerror = tx.onabort = done
      } catch {
        done() // database closed: the room is being destroyed
      }
    })
  }

  // The stock provider re-sends every awareness change, other clients' included; the server
  // only accepts a connection's own client ids. Send ours only.
  #sendOwnAwarenessOnly(): void {
    const provider = this.provider
    const awareness = provider.awareness
    awareness.off('update', provider._awarenessUpdateHandler)
    const handler = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }): void => {
      const self = awareness.clientID
      if (![...added, ...updated, ...removed].includes(self)) return
      const ws = provider.ws
      if (!provider.wsconnected || ws === null || ws.readyState !== WebSocket.OPEN) return
      ws.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, [self])))
    }
    provider._awarenessUpdateHandler = handler
    awareness.on('update', handler)
  }

  // Peer states reach the editor (cursor colours go into style attributes) and the panels:
  // reduce each to checked fields before it enters the awareness, whatever the server relayed.
  #sanitizePeerAwareness(): void {
    const provider = this.provider
    provider.messageHandlers[MESSAGE_AWARENESS] = (_encoder, decoder) => {
      let entries: AwarenessEntry[]
      try {
        entries = parseAwarenessUpdate(decoding.readVarUint8Array(decoder))
      } catch {
        return // malformed: nothing of it is shown
      }
      const clean = entries.map((e) => ({ ...e, state: readPresence(e.state) }))
      awarenessProtocol.applyAwarenessUpdate(provider.awareness, encodeAwarenessEntries(clean), provider)
    }
  }

  // The browser knows about lost networks before the socket does; react at once.
  #goOnline = (): void => {
    this.#online = true
    if (!this.#closed) this.provider.connect()
  }

  #goOffline = (): void => {
    this.#online = false
    this.provider.disconnect()
  }
}
