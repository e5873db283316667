// The workspace's conflict log, live: fetched once, then kept current by Server-Sent Events
// (`event: conflict`, one record per event, new or resolved). When the event stream is not
// available (proxy, old server, network) we poll instead, and refetch whenever it reopens
// so nothing missed in between is lost.

import type { ConflictRecord } from '../../../shared/conflicts/types.ts'
import { documentOfLocation } from '../../../shared/documents.ts'
import { ApiRequestError, workspacePath, type ApiClient, type ResolveBody } from '../../../shared/api/index.ts'

const MAX_PAGES = 25

export type FeedState = 'loading' | 'live' | 'polling' | 'unavailable'

export interface ConflictFeedOptions {
  workspace: string
  api: ApiClient
  token: string
  /** Poll interval while the event stream is down. */
  pollMs?: number
  /** Injected for tests; the browser's EventSource by default. */
  EventSource?: typeof EventSource
}

/** Newest first; replaces the record with the same id. */
export function upsert(list: ConflictRecord[], record: ConflictRecord): ConflictRecord[] {
  const rest = list.filter((c) => c.id !== record.id)
  return [record, ...rest].sort((a, b) => b.detectedAt - a.detectedAt || a.id.localeCompare(b.id))
}

/** The document (id) a conflict is about, its text or its title; null for task keys, claims and schema. */
export const conflictDoc = (c: ConflictRecord): string | null => documentOfLocation(c.location)

export class ConflictFeed {
  readonly #options: ConflictFeedOptions
  #list = $state.raw<ConflictRecord[]>([])
  #state = $state<FeedState>('loading')
  #source: EventSource | null = null
  #poll: ReturnType<typeof setInterval> | null = null

  constructor(options: ConflictFeedOptions) {
    this.#options = options
  }

  get all(): ConflictRecord[] {
    return this.#list
  }

  get state(): FeedState {
    return this.#state
  }

  /** Conflicts about one text document (`null`: the ones not tied to a document). */
  about(doc: string | null): ConflictRecord[] {
    return this.all.filter((c) => conflictDoc(c) === doc)
  }

  async refetch(): Promise<void> {
    try {
      // Pages of 200, at most MAX_PAGES of them (the newest records are what a person acts on).
      const conflicts: ConflictRecord[] = []
      let cursor: string | null = null
      for (let i = 0; i < MAX_PAGES; i++) {
        const page = await this.#options.api.conflicts(this.#options.workspace, { status: 'all', limit: 200, ...(cursor ? { cursor } : {}) })
        conflicts.push(...page.conflicts)
        cursor = page.next
        if (cursor === null) break
      }
      this.#list = conflicts.reduce(upsert, [] as ConflictRecord[])
      if (this.#state === 'loading' || this.#state === 'unavailable') this.#state = this.#source?.readyState === 1 ? 'live' : 'polling'
    } catch (error) {
      if (error instanceof ApiRequestError && error.kind === 'not-found') this.#state = 'unavailable'
    }
  }

  /** Throws ApiRequestError: 409 when someone resolved it first (the feed then shows their choice). */
  resolve(id: string, resolution: ResolveBody): Promise<ConflictRecord> {
    return this.#settle(this.#options.api.resolveConflict(this.#options.workspace, id, resolution))
  }

  /** Approves `proposer`'s proposed resolution (resolving with its choice). Throws ApiRequestError like resolve(). */
  approve(id: string, proposer: string): Promise<ConflictRecord> {
    return this.#settle(this.#options.api.approveProposal(this.#options.workspace, id, proposer))
  }

  /** Shows the record the server answered; a 409 (someone acted first) reloads the list to show theirs. */
  async #settle(answer: Promise<ConflictRecord>): Promise<ConflictRecord> {
    try {
      const record = await answer
      this.#list = upsert(this.#list, record)
      return record
    } catch (error) {
      if (error instanceof ApiRequestError && error.kind === 'conflict') void this.refetch()
      throw error
    }
  }

  /** Fetches the log and follows the event stream until stop(). */
  start(): void {
    if (this.#source || this.#poll) return
    void this.refetch()
    const ES = this.#options.EventSource ?? globalThis.EventSource
    if (!ES) return this.#startPolling()
    const source = new ES(workspacePath(this.#options.workspace, `/events?token=${encodeURIComponent(this.#options.token)}`))
    this.#source = source
    source.addEventListener('conflict', (event) => {
      try {
        this.#list = upsert(this.#list, JSON.parse((event as MessageEvent<string>).data) as ConflictRecord)
      } catch {
        void this.refetch() // a record we cannot read: take the server's list instead
      }
    })
    source.onopen = () => {
      this.#stopPolling()
      this.#state = 'live'
      void this.refetch()
    }
    // EventSource retries by itself while CONNECTING; poll meanwhile so the view stays current.
    source.onerror = () => this.#startPolling()
  }

  #startPolling(): void {
    if (this.#state !== 'unavailable') this.#state = 'polling'
    this.#poll ??= setInterval(() => void this.refetch(), this.#options.pollMs ?? 5_000)
  }

  #stopPolling(): void {
    if (this.#poll) clearInterval(this.#poll)
    this.#poll = null
  }

  stop(): void {
    this.#stopPolling()
    this.#source?.close()
    this.#source = null
    this.#state = 'loading'
  }
}
