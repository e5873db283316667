// The review rooms `W/review/<owner>`, live: what people did about the interpretive differences
// in each namespace we may read (kept, promoted, replies, accepted/rejected proposals). A review
// room is readable exactly when its namespace is, so we open the review rooms of the readable
// namespaces (the list the server gives, the same rule its sockets obey) and drop one the server
// closes (4403, e.g. a blind namespace withdrawn). The actions go through the HTTP API (the
// server checks who may act and writes the room as that person): the browser never writes them.

import { createSubscriber } from 'svelte/reactivity'
import { CLOSE } from '../../../shared/wire/index.ts'
import { reviewRoom } from '../../../shared/rooms.ts'
import { REVIEW_MAPS, mergeReviewStates, readReviewState, reviewKey, type ReviewState } from '../../../shared/review/index.ts'
import { ApiRequestError, type ApiClient } from '../../../shared/api/index.ts'
import type { Room } from './room.svelte.ts'

export interface ReviewRoomOptions {
  workspace: string
  api: ApiClient
  openRoom: (name: string) => Room
  /** The namespaces we may read now. */
  readable: Iterable<string>
}

/** What the last action on one annotation or proposal said (errors, or a conflict to resolve). */
export interface ActionNotice {
  kind: 'error' | 'stale' | 'conflict'
  message: string
  conflict?: string
}

export class ReviewRoom {
  readonly #options: ReviewRoomOptions
  /** Namespace owner → its review room. */
  readonly #rooms = new Map<string, Room>()
  readonly #listeners = new Set<() => void>()
  readonly #subscribe: () => void
  #busy = $state<Record<string, boolean>>({})
  #notices = $state<Record<string, ActionNotice>>({})

  constructor(options: ReviewRoomOptions) {
    this.#options = options
    this.#subscribe = createSubscriber((update) => {
      this.#listeners.add(update)
      return () => this.#listeners.delete(update)
    })
    this.watch(options.readable)
  }

  /** Opens exactly the review rooms of these namespaces; idempotent. */
  watch(readable: Iterable<string>): void {
    const wanted = new Set(readable)
    for (const owner of wanted) if (!this.#rooms.has(owner)) this.#open(owner)
    for (const [owner, room] of this.#rooms) {
      if (wanted.has(owner)) continue
      this.#rooms.delete(owner)
      void room.forget()
    }
    this.#notify()
  }

  /** The review rooms as they are now, merged (reactive). */
  get state(): ReviewState {
    this.#subscribe()
    return mergeReviewStates([...this.#rooms].map(([owner, room]) => [owner, readReviewState(room.doc)] as const))
  }

  busy(owner: string, id: string): boolean {
    return this.#busy[reviewKey(owner, id)] ?? false
  }

  notice(owner: string, id: string): ActionNotice | null {
    return this.#notices[reviewKey(owner, id)] ?? null
  }

  keep = (owner: string, id: string) => this.#act(owner, id, (api, ws) => api.keep(ws, owner, id))
  reply = (owner: string, id: string, text: string) => this.#act(owner, id, (api, ws) => api.reply(ws, owner, id, text))
  promote = (owner: string, id: string) => this.#act(owner, id, (api, ws) => api.promote(ws, owner, id))
  accept = (owner: string, id: string) => this.#act(owner, id, (api, ws) => api.accept(ws, owner, id))
  reject = (owner: string, id: string) => this.#act(owner, id, (api, ws) => api.reject(ws, owner, id))

  destroy(): void {
    for (const room of this.#rooms.values()) room.destroy()
    this.#rooms.clear()
  }

  #open(owner: string): void {
    const room = this.#options.openRoom(reviewRoom(this.#options.workspace, owner))
    this.#rooms.set(owner, room)
    room.provider.awareness.setLocalState(null)
    for (const m of Object.values(REVIEW_MAPS)) room.doc.getMap(m).observe(() => this.#notify())
    room.provider.on('connection-close', (event) => {
      if (event?.code !== CLOSE.forbidden || this.#rooms.get(owner) !== room) return
      this.#rooms.delete(owner)
      void room.forget() // no longer ours to read: drop the local copy too
      this.#notify()
    })
  }

  #notify(): void {
    for (const listener of this.#listeners) listener()
  }

  /** True when the server took the action; otherwise the notice says why not. */
  async #act(owner: string, id: string, call: (api: ApiClient, workspace: string) => Promise<unknown>): Promise<boolean> {
    const key = reviewKey(owner, id)
    this.#busy[key] = true
    delete this.#notices[key]
    try {
      await call(this.#options.api, this.#options.workspace)
      return true
    } catch (error) {
      this.#notices[key] = await this.#describe(error, owner, id)
      return false
    } finally {
      this.#busy[key] = false
    }
  }

  async #describe(error: unknown, owner: string, id: string): Promise<ActionNotice> {
    const message = error instanceof Error ? error.message : String(error)
    if (!(error instanceof ApiRequestError)) return { kind: 'error', message }
    if (error.code === 'stale') return { kind: 'stale', message }
    if (error.code === 'proposal_conflict') {
      // The id is in the review room once the server recorded it; ask for it if not synced yet.
      const known = this.#rooms.get(owner)?.doc.getMap(REVIEW_MAPS.proposals).get(reviewKey(owner, id)) as { conflict?: string } | undefined
      const conflict =
        known?.conflict ??
        (await this.#options.api
          .proposal(this.#options.workspace, owner, id)
          .then((v) => v.decision?.conflict)
          .catch(() => undefined))
      return { kind: 'conflict', message, conflict }
    }
    return { kind: 'error', message }
  }
}
