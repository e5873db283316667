// Who is signed in. Verifies the token with the server when it can; falls back to the
// last known answer when the server is unreachable so the app keeps working offline.

import { getContext, setContext } from 'svelte'
import { ApiClient, ApiRequestError, type Me } from '../../../shared/api/index.ts'
import { describeApiError, type Problem } from './messages.ts'
import { LocalStore } from './storage.ts'
import { deleteRoomDatabases } from './local-data.ts'

export type SessionStatus = 'signed-out' | 'checking' | 'ready'

export class Session {
  readonly store: LocalStore
  #token = $state<string | null>(null)
  #me = $state<Me | null>(null)
  #status = $state<SessionStatus>('signed-out')
  #problem = $state<Problem | null>(null)
  /** The token the last sign-in could not use, kept (in memory only) so the form shows it again to fix. */
  #tried = $state('')
  /** True when `me` came from the local cache because the server could not be reached. */
  #fromCache = $state(false)

  constructor(store: LocalStore) {
    this.store = store
    this.#token = store.token
  }

  get token(): string | null {
    return this.#token
  }
  get me(): Me | null {
    return this.#me
  }
  get status(): SessionStatus {
    return this.#status
  }
  get triedToken(): string {
    return this.#tried
  }

  get problem(): Problem | null {
    return this.#problem
  }
  get fromCache(): boolean {
    return this.#fromCache
  }

  get api(): ApiClient {
    if (!this.#token) throw new Error('not signed in')
    return new ApiClient({ token: this.#token })
  }

  /** `ws(s)://host` for the sync endpoint, derived from the page's own origin. */
  get wsBase(): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`
  }

  /** Check a token (new or remembered) with the server and remember it when accepted. */
  async signIn(token: string): Promise<void> {
    const previous = this.#token
    this.#status = 'checking'
    this.#problem = null
    try {
      const me = await new ApiClient({ token }).me()
      if (previous !== token) this.store.clear()
      // Whoever used this browser before: their rooms' local copies go, ours stay for offline use.
      void deleteRoomDatabases(me.principal.id).catch((error: unknown) => console.warn('could not delete local copies', error))
      this.store.token = token
      this.store.me = me
      this.#token = token
      this.#me = me
      this.#fromCache = false
      this.#tried = ''
      this.#status = 'ready'
    } catch (error) {
      const kind = error instanceof ApiRequestError ? error.kind : 'server'
      const cached = this.store.me
      if (kind === 'unreachable' && token === previous && cached) {
        // Known token, no server: work from the cache; rooms sync when it is back.
        this.#me = cached
        this.#fromCache = true
        this.#status = 'ready'
        return
      }
      if (kind === 'unauthenticated' && token === previous) {
        // The remembered token was revoked: forget it so the next visit starts at the form.
        this.store.token = null
        this.#token = null
      }
      this.#problem = describeApiError(kind, error instanceof Error ? error.message : String(error))
      this.#tried = token
      this.#status = 'signed-out'
    }
  }

  /** Called when the server rejects the token later (HTTP 401 or WebSocket 4401). */
  expire(problem: Problem): void {
    this.store.token = null
    this.#token = null
    this.#me = null
    this.#problem = problem
    this.#status = 'signed-out'
  }

  /** Forgets the identity and deletes every local copy (rooms close as the workspace view goes). */
  signOut(): Promise<void> {
    this.store.clear()
    this.#tried = ''
    this.#token = null
    this.#me = null
    this.#problem = null
    this.#status = 'signed-out'
    return deleteRoomDatabases(null).catch((error: unknown) => console.warn('could not delete local copies', error))
  }
}

const KEY = Symbol('session')
export const setSession = (session: Session): Session => setContext(KEY, session)
export const getSession = (): Session => getContext<Session>(KEY)
