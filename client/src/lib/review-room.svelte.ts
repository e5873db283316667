// The review room `W/review`, live: what people did about interpretive differences (kept,
// promoted, replies, accepted/rejected proposals). Every member reads it over its own socket;
// the actions go through the HTTP API (the server checks who may act and writes the room as
// that person), so the browser never writes this room itself and a viewer's copy is read-only.

import { createSubscriber } from 'svelte/reactivity'
import { roomName } from '../../../shared/rooms.ts'
import { REVIEW_MAPS, readReviewState, reviewKey, type ReviewState } from '../../../shared/review/index.ts'
import { ApiError, wsPath, type ApiClient } from './api.ts'
import type { Room } from './room.svelte.ts'

export interface ReviewRoomOptions {
  workspace: string
  api: ApiClient
  openRoom: (name: string) => Room
}

export type ReviewVerb = 'keep' | 'reply' | 'promote' | 'accept' | 'reject'

/** What the last action on one annotation or proposal said (errors, or a conflict to resolve). */
export interface ActionNotice {
  kind: 'error' | 'stale' | 'conflict'
  message: string
  conflict?: string
}

export class ReviewRoom {
  readonly room: Room
  readonly #options: ReviewRoomOptions
  readonly #subscribe: () => void
  #busy = $state<Record<string, boolean>>({})
  #notices = $state<Record<string, ActionNotice>>({})

  constructor(options: ReviewRoomOptions) {
    this.#options = options
    this.room = options.openRoom(roomName({ kind: 'review', workspace: options.workspace }))
    this.room.provider.awareness.setLocalState(null)
    const maps = Object.values(REVIEW_MAPS).map((m) => this.room.doc.getMap(m))
    this.#subscribe = createSubscriber((update) => {
      for (const m of maps) m.observe(update)
      return () => maps.forEach((m) => m.unobserve(update))
    })
  }

  /** The review room as it is now (reactive). */
  get state(): ReviewState {
    this.#subscribe()
    return readReviewState(this.room.doc)
  }

  busy(owner: string, id: string): boolean {
    return this.#busy[reviewKey(owner, id)] ?? false
  }

  notice(owner: string, id: string): ActionNotice | null {
    return this.#notices[reviewKey(owner, id)] ?? null
  }

  keep = (owner: string, id: string) => this.#act('annotations', owner, id, 'keep')
  reply = (owner: string, id: string, text: string) => this.#act('annotations', owner, id, 'reply', { text })
  promote = (owner: string, id: string) => this.#act('annotations', owner, id, 'promote')
  accept = (owner: string, id: string) => this.#act('proposals', owner, id, 'accept')
  reject = (owner: string, id: string) => this.#act('proposals', owner, id, 'reject')

  destroy(): void {
    this.room.destroy()
  }

  /** True when the server took the action; otherwise the notice says why not. */
  async #act(kind: 'annotations' | 'proposals', owner: string, id: string, verb: ReviewVerb, body: object = {}): Promise<boolean> {
    const key = reviewKey(owner, id)
    this.#busy[key] = true
    delete this.#notices[key]
    try {
      await this.#options.api.post(wsPath(this.#options.workspace, `/${kind}/${encodeURIComponent(owner)}/${encodeURIComponent(id)}/${verb}`), body)
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
    if (!(error instanceof ApiError)) return { kind: 'error', message }
    if (error.code === 'stale') return { kind: 'stale', message }
    if (error.code === 'proposal_conflict') {
      // The id is in the review room once the server recorded it; ask for it if not synced yet.
      const known = this.room.doc.getMap(REVIEW_MAPS.proposals).get(reviewKey(owner, id)) as { conflict?: string } | undefined
      const conflict =
        known?.conflict ??
        (await this.#options.api
          .get<{ decision: { conflict?: string } | null }>(wsPath(this.#options.workspace, `/proposals/${encodeURIComponent(owner)}/${encodeURIComponent(id)}`))
          .then((v) => v.decision?.conflict)
          .catch(() => undefined))
      return { kind: 'conflict', message, conflict }
    }
    return { kind: 'error', message }
  }
}
