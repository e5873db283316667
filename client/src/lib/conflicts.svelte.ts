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

/** Open is where a conflict starts; resolved and decided are where it ends (it never reopens). */
const settled = (c: ConflictRecord): boolean => c.status !== 'open'

/**
 * A fetched list with the records heard (events, answers) while the fetch was in flight laid over
 * it: the fetch's answer may have been read before them, and replacing the list with it would drop
 * a conflict just shown. A heard record loses only to a fetched one that is further along (settled
 * while the heard one is still open).
 */
export function withHeard(fetched: ConflictRecord[], heard: readonly ConflictRecord[]): ConflictRecord[] {
  let list = fetched.reduce(upsert, [] as ConflictRecord[])
  for (const record of heard) {
    const known = list.find((c) => c.id === record.id)
    if (known && settled(known) && !settled(record)) continue
    list = upsert(list, record)
  }
  return list
}

/** The document (id) a conflict is about, its text or its title; null for task keys, claims and schema. */
export const conflictDoc = (c: ConflictRecord): string | null => documentOfLocation(c.location)

export class ConflictFeed {
  readonly #options: ConflictFeedOptions
  #list = $state.raw<ConflictRecord[]>([])
  #state = $state<FeedState>('loading')
  #source: EventSource | null = null
  #poll: ReturnType<typeof setInterval> | null = null
  /** Records heard while a refetch is in flight (kept until none is), and which refetch applied last. */
  #heard: ConflictRecord[] = []
  #refetching = 0
  #started = 0
  #applied = 0

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
    const seq = ++this.#started
    const mark = this.#heard.length
    this.#refetching++
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
      // A refetch that started before the one applied last answers with an older list.
      if (seq < this.#applied) return
      this.#applied = seq
      this.#list = withHeard(conflicts, this.#heard.slice(mark))
      if (this.#state === 'loading' || this.#state === 'unavailable') this.#state = this.#source?.readyState === 1 ? 'live' : 'polling'
    } catch (error) {
      if (error instanceof ApiRequestError && error.kind === 'not-found') this.#state = 'unavailable'
    } finally {
      if (--this.#refetching === 0) this.#heard = []
    }
  }

  /** A record from the event stream or an answer: shown now, and kept over a refetch in flight. */
  #hear(record: ConflictRecord): void {
    if (this.#refetching > 0) this.#heard.push(record)
    this.#list = upsert(this.#list, record)
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
      this.#hear(record)
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
        this.#hear(JSON.parse((event as MessageEvent<string>).data) as ConflictRecord)
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
