// Client side of Polyphony's opt-in "persisted" acknowledgement (shared/wire/,
// MESSAGE_PERSISTED). Tracks the state vector the server has made durable and answers
// "how many local changes are not yet saved on the server".
//
// Known-durable = max of (acked state vectors, state reached by updates that came from the
// server: the server persists before it broadcasts). BroadcastChannel sync is disabled on the
// provider (see room.svelte.ts) so "came from the provider" really means "came from the server".

import * as Y from 'yjs'
import type * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'
import { MESSAGE_PERSISTED, persistedRequest, readPersistedReply } from '../../../shared/wire/index.ts'

export type StateVector = Map<number, number>

/** Clock units present locally but not covered by the durable state vector. */
export function unpersistedCount(local: StateVector, durable: StateVector): number {
  let n = 0
  for (const [client, clock] of local) n += Math.max(0, clock - (durable.get(client) ?? 0))
  return n
}

export function mergeInto(target: StateVector, sv: StateVector): boolean {
  let changed = false
  for (const [client, clock] of sv) {
    if ((target.get(client) ?? 0) < clock) {
      target.set(client, clock)
      changed = true
    }
  }
  return changed
}

export class PersistedTracker {
  readonly #doc: Y.Doc
  readonly #provider: WebsocketProvider
  readonly #durable: StateVector = new Map()
  readonly #onChange: () => void
  #nextRequest = 1
  #outstanding = 0
  #dirty = false
  /** Local transactions not yet covered by a reply (deletions do not move the state vector). */
  #unconfirmed = 0
  #covered = 0
  /** Edits made in this tab (not restored from the browser's copy) not yet covered by a reply. */
  #edits = 0
  #coveredEdits = 0
  readonly #isRestore: (origin: unknown) => boolean

  /** `isRestore` tells transactions that load the browser's own copy from edits made here. */
  constructor(doc: Y.Doc, provider: WebsocketProvider, onChange: () => void, isRestore: (origin: unknown) => boolean = () => false) {
    this.#doc = doc
    this.#provider = provider
    this.#onChange = onChange
    this.#isRestore = isRestore
    provider.messageHandlers[MESSAGE_PERSISTED] = (_encoder, decoder) => this.#onAck(decoder)
    doc.on('afterTransaction', this.#afterTransaction)
    provider.on('sync', this.#onSync)
    provider.on('status', this.#onStatus)
  }

  /** Local changes not yet known to be durable on the server (clock units, at least one per unconfirmed edit). */
  get pending(): number {
    const units = unpersistedCount(Y.decodeStateVector(Y.encodeStateVector(this.#doc)), this.#durable)
    return Math.max(units, this.#unconfirmed)
  }

  /**
   * Edits made in this tab that the server has not confirmed (one per keystroke, paste or
   * command, whatever its size). Changes restored from the browser's copy after a reload are
   * not counted here (`pending` still includes them): their number of edits is not known.
   */
  get unsavedEdits(): number {
    return this.pending > 0 ? this.#edits : 0
  }

  destroy(): void {
    this.#doc.off('afterTransaction', this.#afterTransaction)
    this.#provider.off('sync', this.#onSync)
    this.#provider.off('status', this.#onStatus)
  }

  /** Ask the server to confirm durability; at most one request is outstanding at a time. */
  request(): void {
    const ws = this.#provider.ws
    if (!this.#provider.synced || ws === null || ws.readyState !== WebSocket.OPEN) return
    if (this.#outstanding !== 0) {
      this.#dirty = true
      return
    }
    this.#dirty = false
    this.#covered = this.#unconfirmed
    this.#coveredEdits = this.#edits
    this.#outstanding = this.#nextRequest++
    ws.send(persistedRequest(this.#outstanding))
  }

  #onAck(decoder: decoding.Decoder): void {
    const { requestId, stateVector } = readPersistedReply(decoder)
    mergeInto(this.#durable, Y.decodeStateVector(stateVector))
    if (requestId !== 0 && requestId === this.#outstanding) {
      this.#outstanding = 0
      this.#unconfirmed -= this.#covered
      this.#covered = 0
      this.#edits -= this.#coveredEdits
      this.#coveredEdits = 0
      if (this.#dirty) this.request()
    }
    this.#onChange()
  }

  #afterTransaction = (tr: Y.Transaction): void => {
    if (tr.origin === this.#provider) {
      // Updates from the server are durable there already.
      const reached: StateVector = new Map()
      for (const [client, clock] of tr.afterState) if (tr.beforeState.get(client) !== clock) reached.set(client, clock)
      mergeInto(this.#durable, reached)
    } else if (hasChanged(tr)) {
      this.#unconfirmed++
      if (!this.#isRestore(tr.origin)) this.#edits++
      this.request()
    }
    this.#onChange()
  }

  #onSync = (synced: boolean): void => {
    if (synced) this.request()
  }

  #onStatus = ({ status }: { status: string }): void => {
    if (status !== 'connected') {
      this.#outstanding = 0
      this.#covered = 0
      this.#coveredEdits = 0
      this.#dirty = false
    }
    this.#onChange()
  }
}

function hasChanged(tr: Y.Transaction): boolean {
  for (const [client, clock] of tr.afterState) if (tr.beforeState.get(client) !== clock) return true
  return tr.deleteSet.clients.size > 0
}
