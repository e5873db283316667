// Everything one open workspace needs: the shared room (documents, presence), the readable
// namespaces (annotations) and the member list from the API (cached for offline use).
// The member list is fetched again when the tab regains focus and every REFRESH_MS, so a
// blind namespace appears once its owner submits.

import { getContext, setContext } from 'svelte'
import { mayEditShared } from '../../../shared/access.ts'
import { CLOSE } from '../../../shared/wire/index.ts'
import { sharedRoom, tasksRoom } from '../../../shared/rooms.ts'
import type { Role } from '../../../shared/model.ts'
import { ApiRequestError, type ApiClient, type Member, type WorkspaceDetail } from '../../../shared/api/index.ts'
import { assignedColors, colorsFor, isHexColor } from '../../../shared/presence/index.ts'
import { Documents } from './documents.svelte.ts'
import { describeApiError, describeClose, type Problem } from './messages.ts'
import { storePrefixFor } from './local-data.ts'
import { Namespaces } from './namespaces.svelte.ts'
import { Presence } from './presence.svelte.ts'
import { ReviewRoom } from './review-room.svelte.ts'
import { WorkspaceVocabulary } from './vocabulary.svelte.ts'
import { ConflictFeed } from './conflicts.svelte.ts'
import { Room, worstState } from './room.svelte.ts'
import type { ConnectionSummary } from './save-status.svelte.ts'
import type { Session } from './session.svelte.ts'

export interface WorkspaceOptions {
  id: string
  session: Session
  /** How often to re-fetch members and readable namespaces while open. */
  refreshMs?: number
}

export interface HiddenNamespace {
  id: string
  name: string
  reason: string
}

export class Workspace {
  readonly id: string
  readonly shared: Room
  readonly documents: Documents
  readonly presence: Presence
  readonly namespaces: Namespaces
  /**
   * The workspace's conflict log, live while the workspace is open: the Review tab's badge, the
   * editor's markers and the review view read this one feed (one event stream).
   */
  readonly conflicts: ConflictFeed
  readonly #session: Session
  readonly #openRoom: (name: string) => Room
  #review: ReviewRoom | null = null
  #tasks: Room | null = null
  #detail = $state<WorkspaceDetail | null>(null)
  #problem = $state<Problem | null>(null)
  readonly #timer: ReturnType<typeof setInterval>

  constructor({ id, session, refreshMs = 15_000 }: WorkspaceOptions) {
    const me = session.me
    const token = session.token
    if (!me || !token) throw new Error('Workspace needs a signed-in session')
    this.id = id
    this.#session = session
    const storePrefix = storePrefixFor(me.principal.id)
    const openRoom = (name: string): Room => new Room({ name, wsBase: session.wsBase, token, storePrefix })
    this.#openRoom = openRoom
    this.shared = openRoom(sharedRoom(id))
    this.shared.provider.on('connection-close', (event) => {
      if (event?.code === CLOSE.unauthenticated) session.expire(describeClose(event.code, event.reason, id)!)
    })
    this.documents = new Documents(this.shared.doc)
    this.presence = new Presence(this.shared.provider.awareness)
    this.namespaces = new Namespaces({ workspace: id, self: me.principal.id, openRoom })
    this.conflicts = new ConflictFeed({ workspace: id, api: session.api, token })
    this.conflicts.start()
    this.#detail = session.store.workspace(id)
    this.#announceSelf()
    this.presence.setStatus('idle')
    if (this.#detail?.readableNamespaces) this.namespaces.watch(this.#detail.readableNamespaces)
    void this.refresh()
    // Opened offline: fetch members (and so namespaces) once the network is back.
    window.addEventListener('online', this.#onAttention)
    window.addEventListener('focus', this.#onAttention)
    document.addEventListener('visibilitychange', this.#onAttention)
    this.#timer = setInterval(() => void this.refresh(), refreshMs)
  }

  #onAttention = (): void => {
    if (document.visibilityState === 'visible' && navigator.onLine) void this.refresh()
  }

  get api(): ApiClient {
    return this.#session.api
  }

  /** The signed-in token (for EventSource, which cannot send headers). */
  get token(): string {
    return this.#session.token ?? ''
  }

  get title(): string {
    return this.#detail?.title ?? this.#session.me?.workspaces.find((w) => w.id === this.id)?.title ?? this.id
  }

  get role(): Role | null {
    return this.#detail?.role ?? this.#session.me?.workspaces.find((w) => w.id === this.id)?.role ?? null
  }

  /** Owners and editors write shared documents (shared/access.ts). */
  get canEdit(): boolean {
    return mayEditShared(this.role)
  }

  get members(): Member[] {
    return this.#detail?.members ?? []
  }

  get self(): string {
    return this.#session.me?.principal.id ?? ''
  }

  /** The review rooms of the readable namespaces (decisions, replies), opened the first time the review view asks. */
  /** Open conflicts about one document (`null`: tasks and settings), or about anything. */
  openConflicts(doc?: string | null): number {
    const list = doc === undefined ? this.conflicts.all : this.conflicts.about(doc)
    return list.filter((c) => c.status === 'open').length
  }

  get review(): ReviewRoom {
    this.#review ??= new ReviewRoom({ workspace: this.id, api: this.api, openRoom: this.#openRoom, readable: this.namespaces.readable })
    return this.#review
  }

  /** The task room (the board the server writes; read-only for us), opened the first time the board asks. */
  get tasks(): Room {
    if (!this.#tasks) {
      this.#tasks = this.#openRoom(tasksRoom(this.id))
      this.#tasks.provider.awareness.setLocalState(null)
    }
    return this.#tasks
  }

  /** The label synonyms agreement uses, live from the task room (opened on first use). */
  get vocabulary(): WorkspaceVocabulary {
    this.#vocabulary ??= new WorkspaceVocabulary(this.tasks)
    return this.#vocabulary
  }

  #vocabulary: WorkspaceVocabulary | null = null

  /** A problem with the workspace itself (no access, gone); the shared room reports its own. */
  get problem(): Problem | null {
    return this.#problem
  }

  /** What the indicator shows: the shared room and our own namespace (where we write). */
  get connection(): ConnectionSummary {
    const rooms = [this.shared, this.namespaces.own]
    return {
      state: worstState(rooms.map((r) => r.state)),
      pending: rooms.reduce((n, r) => n + r.pending, 0),
      edits: rooms.reduce((n, r) => n + r.unsavedEdits, 0),
      unsavedLocally: rooms.reduce((n, r) => n + r.unsavedLocally, 0),
      browserOnline: this.shared.online,
    }
  }

  /** Members whose namespace we cannot read, and why. */
  get hiddenNamespaces(): HiddenNamespace[] {
    const readable = new Set(this.namespaces.readable)
    const refused = this.namespaces.refused
    const blind = this.#detail?.visibility === 'blind-until-submitted'
    return this.members
      .filter((m) => !readable.has(m.id))
      .map((m) => ({
        id: m.id,
        name: m.name,
        reason: refused.get(m.id) ?? (blind && !m.submitted ? 'not submitted yet' : 'not visible to your role'),
      }))
  }

  // Principal -> the colour it announces in awareness (agents pick their own), as a string so
  // that dependents rerun only when a colour changes, not on every cursor move.
  // Colours of principals who left are remembered: an agent that disconnects keeps its colour
  // on its highlights and notes instead of switching to the palette's.
  readonly #lastColors = new Map<string, string>()
  #announcedColors = $derived.by(() => {
    for (const p of this.presence.list) this.#lastColors.set(p.user.principal, p.user.color)
    return JSON.stringify(Object.fromEntries(this.#lastColors))
  })

  /** The colour of a principal's cursor, presence dot and highlights: one per author everywhere. */
  colorOf(principal: string): string {
    const assigned = this.members.find((m) => m.id === principal)?.color
    if (isHexColor(assigned)) return assigned
    const announced = (JSON.parse(this.#announcedColors) as Record<string, unknown>)[principal]
    return isHexColor(announced) ? announced : colorsFor(principal).color
  }

  /** Our presence: the server vouches name and colour for others; this is what we show ourselves. */
  #announceSelf(): void {
    const me = this.#session.me
    if (!me) return
    const assigned = this.members.find((m) => m.id === me.principal.id)?.color
    this.presence.setUser({
      name: me.principal.name,
      ...assignedColors(assigned, me.principal.id),
      kind: me.principal.kind,
      principal: me.principal.id,
      role: this.role ?? undefined,
    })
  }

  memberName(id: string): string {
    return this.members.find((m) => m.id === id)?.name ?? id
  }

  async refresh(): Promise<void> {
    try {
      const detail = await this.#session.api.workspace(this.id)
      this.#session.store.saveWorkspace(detail)
      const recoloured = detail.members.find((m) => m.id === this.self)?.color !== this.#detail?.members.find((m) => m.id === this.self)?.color
      this.#detail = detail
      this.#problem = null
      if (recoloured) this.#announceSelf()
      this.namespaces.watch(detail.readableNamespaces)
      this.#review?.watch(detail.readableNamespaces)
    } catch (error) {
      const kind = error instanceof ApiRequestError ? error.kind : 'server'
      const message = error instanceof Error ? error.message : String(error)
      if (kind === 'unreachable' || kind === 'server') return // offline: cached detail (if any) stays
      if (kind === 'unauthenticated') this.#session.expire(describeApiError(kind, message))
      else this.#problem = describeApiError(kind, message, `workspace “${this.id}”`)
    }
  }

  destroy(): void {
    clearInterval(this.#timer)
    window.removeEventListener('online', this.#onAttention)
    window.removeEventListener('focus', this.#onAttention)
    document.removeEventListener('visibilitychange', this.#onAttention)
    this.namespaces.destroy()
    this.#review?.destroy()
    this.conflicts.stop()
    this.#tasks?.destroy()
    this.shared.destroy()
  }
}

const KEY = Symbol('workspace')
export const setWorkspace = (workspace: Workspace): Workspace => setContext(KEY, workspace)
export const getWorkspace = (): Workspace => getContext<Workspace>(KEY)
