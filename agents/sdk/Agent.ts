// The agent handle: a principal attached to one workspace, holding the shared document and
// its own namespace. Reading and editing shared text, writing its reading of it (annotations,
// proposals, notes) into its namespace, status through awareness, durable flush.

import * as Y from 'yjs'
import type { Principal } from '../../shared/model.ts'
import { namespaceRoom, sharedRoom, tasksRoom } from '../../shared/rooms.ts'
import { ANCHOR_LIMITS, anchorByQuote, createAnchor, resolveAnchor, type Anchor, type QuoteHint } from '../../shared/anchoring/index.ts'
import { annotationCapError } from '../../shared/review/limits.ts'
import {
  ANNOTATION_LIMITS,
  annotationBodyError,
  annotationsOn,
  isSuperseded,
  makeAnnotation,
  makeNote,
  makeProposal,
  parseAnnotation,
  parseProposal,
  type Annotation,
  type AnnotationBody,
  type Proposal,
} from '../../shared/annotations.ts'
import type { TransactionOrigin } from '../../shared/origin.ts'
import { checkTitle, createDocument, documentText, findDocument, listDocuments, renameDocument, titleOf, type DocumentEntry } from '../../shared/documents.ts'
import { colorsFor, type AgentState, type PresenceUser } from '../../shared/presence/index.ts'
import { RoomSync, type SyncState } from './RoomSync.ts'
import type { LocalStore } from './LocalStore.ts'
import { ApiRequestError, type Accepted, type ApiClient, type ProposalSubmitted, type Promoted, type ResolveBody } from '../../shared/api/index.ts'
import { AgentTasks } from './AgentTasks.ts'
import type { ConflictRecord } from '../../shared/conflicts/index.ts'
import { followConflicts, type ConflictFollower } from './conflictEvents.ts'
import type { AnnotationDecision, Divergences, ProposalDecision, ProposalView, Reply } from '../../shared/review/index.ts'

export type { AgentState } from '../../shared/presence/index.ts'

/** What accepting a proposed edit did: applied, an operational conflict with an earlier accepted one, or refused as stale. */
export type AcceptResult = Accepted | { status: 'conflict'; conflict: string; message: string } | { status: 'stale'; message: string }

/** Where in a shared document: the words (optionally disambiguated) or offsets. */
export type Target = { quote: string; hint?: QuoteHint } | { start: number; end: number }

/** How to resolve a conflict: keep a party's value, or write a new one (the API's resolve body). */
export type ConflictChoice = ResolveBody

/** What submitting a proposed resolution did: stored for approval, or applied at once (the workspace allows it). */
export type SubmitResult = ProposalSubmitted

export interface WriteResult {
  id: string
  /** False when an identical item already existed (idempotent retry). */
  created: boolean
}

/** The key of the agent's memory note in its namespace's notes. */
export const MEMORY_NOTE = 'memory'
/** Memory is a summary, not a log: the newest part is kept past this size. */
export const MAX_MEMORY_CHARS = 8000

export interface AgentParts {
  principal: Principal
  workspace: string
  role: string
  wsUrl: string
  token: string
  api: ApiClient
  store?: LocalStore
}

export class Agent {
  readonly principal: Principal
  readonly workspace: string
  readonly role: string
  readonly api: ApiClient
  readonly sharedSync: RoomSync
  readonly namespaceSync: RoomSync
  /** Task claims with automatic lease renewal (server-arbitrated); the live board (`tasks.board()`). */
  readonly tasks: AgentTasks
  readonly #origin: TransactionOrigin
  readonly #store?: LocalStore
  readonly #token: string

  constructor(parts: AgentParts) {
    this.principal = parts.principal
    this.#token = parts.token
    this.workspace = parts.workspace
    this.role = parts.role
    this.api = parts.api
    this.#store = parts.store
    this.#origin = { source: 'agent', principal: parts.principal.id }
    const common = { wsUrl: parts.wsUrl, token: parts.token, store: parts.store }
    this.tasks = new AgentTasks({
      api: parts.api,
      workspace: parts.workspace,
      openTaskRoom: () => new RoomSync({ ...common, room: tasksRoom(parts.workspace) }),
    })
    this.sharedSync = new RoomSync({ ...common, room: sharedRoom(parts.workspace), causal: true })
    this.namespaceSync = new RoomSync({ ...common, room: namespaceRoom(parts.workspace, parts.principal.id) })
    // The server relays principal, kind and name from its registry whatever we write here.
    const { id, kind, name } = parts.principal
    this.sharedSync.provider.awareness.setLocalState({
      user: { principal: id, kind, name, ...colorsFor(id), role: parts.role } satisfies PresenceUser,
      status: { state: 'idle' },
    })
  }

  get shared(): Y.Doc {
    return this.sharedSync.doc
  }

  get namespace(): Y.Doc {
    return this.namespaceSync.doc
  }

  /** 'online' when both rooms are connected and in sync. */
  get connection(): SyncState {
    const states = [this.sharedSync.state, this.namespaceSync.state]
    if (states.includes('denied')) return 'denied'
    if (states.every((s) => s === 'online')) return 'online'
    return states.includes('offline') ? 'offline' : 'connecting'
  }

  whenSynced(): Promise<void> {
    return Promise.all([this.sharedSync.whenSynced(), this.namespaceSync.whenSynced()]).then(() => undefined)
  }

  // --- shared documents -------------------------------------------------------------
  // A document has a stable id and a display title (shared/documents.ts). Every call that
  // takes a document accepts its id or a title only one document has; what the agent writes
  // (annotations, proposals, notes) always references the id, so it survives renames.

  /** Ids of every document (stable across renames). */
  documents(): string[] {
    return listDocuments(this.shared)
      .map((d) => d.id)
      .sort()
  }

  /** Every document with its display title, by title. */
  documentList(): DocumentEntry[] {
    return listDocuments(this.shared)
  }

  /** The id of the document with this id or (unique) title; throws saying what exists when none or several match. */
  documentId(idOrTitle: string): string {
    const found = findDocument(this.shared, idOrTitle)
    if (!found.ok) throw new Error(`in workspace ${this.workspace}: ${found.message}`)
    return found.id
  }

  /** Like documentId, but undefined when no document (or several) match. */
  documentIdIfAny(idOrTitle: string): string | undefined {
    const found = findDocument(this.shared, idOrTitle)
    return found.ok ? found.id : undefined
  }

  /** The display title (the id when the document has none). */
  title(idOrTitle: string): string {
    return titleOf(this.shared, this.documentId(idOrTitle))
  }

  text(name: string): Y.Text {
    return documentText(this.shared, this.documentId(name))!
  }

  read(name: string): string {
    return this.text(name).toString()
  }

  /** Creates a document with id `name` (and `title`, when given); throws if the id exists or the title is taken. */
  createDocument(name: string, content = '', title?: string): void {
    const problem = title === undefined ? null : checkTitle(this.shared, title)
    if (problem) throw new Error(`cannot create "${name}": ${problem}`)
    this.#transact(this.shared, () => {
      if (documentText(this.shared, name)) throw new Error(`document "${name}" exists`)
      createDocument(this.shared, title ?? name, content, name)
    })
  }

  /** Sets the title of a document; its id, text and every annotation on it stay. */
  rename(idOrTitle: string, title: string): void {
    const id = this.documentId(idOrTitle)
    const problem = checkTitle(this.shared, title, id)
    if (problem) throw new Error(`cannot rename "${idOrTitle}": ${problem}`)
    this.#transact(this.shared, () => renameDocument(this.shared, id, title))
  }

  /** Any edit of a shared text, in one attributed transaction. */
  edit(name: string, change: (text: Y.Text) => void): void {
    const text = this.text(name)
    this.#transact(this.shared, () => change(text))
  }

  /** Replaces the first good match of `quote`; returns false when the words are not there. */
  replace(name: string, target: Target, replacement: string): boolean {
    const range = this.#range(name, target)
    if (!range) return false
    this.edit(name, (t) => {
      t.delete(range.start, range.end - range.start)
      t.insert(range.start, replacement)
    })
    return true
  }

  // --- the agent's own reading ----------------------------------------------------------

  /**
   * Writes an annotation into this agent's namespace. Throws (without writing) when the quote or
   * its hint is beyond ANCHOR_LIMITS, the body beyond ANNOTATION_LIMITS, or the namespace already
   * holds READING_LIMITS.perNamespaceDoc annotations on `doc` none of which is superseded (the
   * oldest superseded one is dropped to make room).
   * `supersedes`: ids of this agent's earlier readings on `doc` that this one replaces (see supersede).
   */
  annotate(doc: string, target: Target, body: AnnotationBody, options: { supersedes?: string[] } = {}): WriteResult {
    const invalidBody = annotationBodyError(body)
    if (invalidBody) throw new RangeError(invalidBody)
    const anchor = this.#anchor(doc, target)
    const annotation = makeAnnotation({ author: this.principal.id, doc: this.documentId(doc), target: anchor, body, createdAt: Date.now() })
    const map = this.namespace.getMap('annotations')
    const full = map.has(annotation.id) ? null : annotationCapError(doc, annotationsOn(map, annotation.doc))
    // History is bounded by the same cap: a full namespace drops its oldest superseded reading to make room.
    if (full && !this.#dropOldestSuperseded(annotation.doc)) throw new RangeError(full)
    // Checked before writing, so a bad id leaves nothing half done.
    const older = this.#supersedable(annotation.doc, options.supersedes ?? [], annotation.id)
    const result = this.#putOnce('annotations', annotation.id, annotation)
    this.#markSuperseded(older, annotation.id)
    return result
  }

  /**
   * Marks this agent's earlier readings `olderIds` (on the same document as `newerId`) as
   * superseded by its reading `newerId`: they stay in the namespace as history, and readers hide
   * them by default. Throws (writing nothing) when an id is not this agent's annotation on that
   * document, is `newerId` itself, or more than ANNOTATION_LIMITS.supersedes ids are given.
   */
  supersede(olderIds: string[], newerId: string): void {
    const newer = parseAnnotation(this.namespace.getMap('annotations').get(newerId))
    if (!newer) throw new Error(`no annotation "${newerId}" in ${this.principal.id}'s namespace: annotate first, then supersede`)
    this.#markSuperseded(this.#supersedable(newer.doc, olderIds, newerId), newerId)
  }

  /**
   * This agent's current readings (not superseded) of `doc` whose stretch overlaps [start, end) of
   * the text now: what a newer reading of that stretch replaces. Readings that cannot be placed are left out.
   */
  readingsOverlapping(doc: string, start: number, end: number): Annotation[] {
    const all = this.annotations(doc)
    const ids = new Set(this.annotations().map((a) => a.id))
    const text = this.text(doc)
    return all.filter((a) => {
      if (isSuperseded(a, ids)) return false
      const r = resolveAnchor(text, a.target)
      return r.status !== 'orphaned' && r.start < end && start < r.end
    })
  }

  propose(doc: string, target: Target, replacement: string, rationale: string): WriteResult {
    const anchor = this.#anchor(doc, target)
    const proposal = makeProposal({ author: this.principal.id, doc: this.documentId(doc), target: anchor, replacement, rationale, createdAt: Date.now() })
    const map = this.namespace.getMap('proposals')
    const full = map.has(proposal.id) ? null : annotationCapError(doc, annotationsOn(map, proposal.doc), 'proposals')
    if (full) throw new RangeError(full)
    return this.#putOnce('proposals', proposal.id, proposal)
  }

  note(text: string, doc?: string): WriteResult {
    const note = makeNote({ author: this.principal.id, doc: doc === undefined ? undefined : this.documentId(doc), text, createdAt: Date.now() })
    return this.#putOnce('notes', note.id, note)
  }

  annotations(doc?: string): Annotation[] {
    const id = doc === undefined ? undefined : this.#idIfKnown(doc)
    const out: Annotation[] = []
    this.namespace.getMap('annotations').forEach((v) => {
      const a = parseAnnotation(v)
      if (a && (!id || a.doc === id)) out.push(a)
    })
    return out
  }

  #supersedable(doc: string, olderIds: string[], newerId: string): Annotation[] {
    if (olderIds.length > ANNOTATION_LIMITS.supersedes) {
      throw new RangeError(`a reading may supersede at most ${ANNOTATION_LIMITS.supersedes} earlier ones: pass fewer ids`)
    }
    const map = this.namespace.getMap('annotations')
    return [...new Set(olderIds)].map((id) => {
      const a = parseAnnotation(map.get(id))
      if (id === newerId) throw new Error(`annotation "${id}" cannot supersede itself`)
      if (!a || a.doc !== doc)
        throw new Error(`no annotation "${id}" on "${doc}" in ${this.principal.id}'s namespace: an agent supersedes only its own readings of the same document`)
      return a
    })
  }

  #dropOldestSuperseded(doc: string): boolean {
    const ids = new Set(this.annotations().map((a) => a.id))
    const oldest = this.annotations(doc)
      .filter((a) => isSuperseded(a, ids))
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))[0]
    if (!oldest) return false
    this.#transact(this.namespace, () => this.namespace.getMap('annotations').delete(oldest.id))
    return true
  }

  #markSuperseded(older: Annotation[], newerId: string): void {
    const stale = older.filter((a) => a.supersededBy !== newerId)
    if (stale.length === 0) return
    const map = this.namespace.getMap('annotations')
    this.#transact(this.namespace, () => {
      for (const a of stale) map.set(a.id, { ...a, supersededBy: newerId })
    })
  }

  proposals(doc?: string): Proposal[] {
    const id = doc === undefined ? undefined : this.#idIfKnown(doc)
    const out: Proposal[] = []
    this.namespace.getMap('proposals').forEach((v) => {
      const p = parseProposal(v)
      if (p && (!id || p.doc === id)) out.push(p)
    })
    return out
  }

  // --- review ---------------------------------------------------------------------------

  /** Operational conflicts in this workspace (open by default), following pages up to `max` records. */
  async conflicts(opts: { status?: 'open' | 'resolved' | 'decided' | 'all'; doc?: string; max?: number } = {}): Promise<ConflictRecord[]> {
    const out: ConflictRecord[] = []
    let cursor: string | null = null
    do {
      const page = await this.api.conflicts(this.workspace, {
        status: opts.status ?? 'open',
        limit: 200,
        ...(opts.doc ? { doc: this.#idIfKnown(opts.doc) } : {}),
        ...(cursor ? { cursor } : {}),
      })
      out.push(...page.conflicts)
      cursor = page.next
    } while (cursor !== null && out.length < (opts.max ?? 10_000))
    return out
  }

  /**
   * Resolves an open conflict by writing the chosen value as this agent: `{ pick: principal }`
   * keeps a party's value, `{ value }` writes a new one (text conflicts). Needs owner or editor.
   */
  resolve(conflictId: string, choice: ConflictChoice): Promise<ConflictRecord> {
    return this.api.resolveConflict(this.workspace, conflictId, choice)
  }

  /**
   * Submits a proposed resolution with its reasoning, stored beside the conflict (this agent's
   * earlier proposal is replaced). A person approves it, unless the workspace lets proposals of
   * this kind apply themselves and this agent may resolve: then `applied` is true and the
   * conflict is resolved, attributed to this agent.
   */
  submit(conflictId: string, choice: ConflictChoice, reasoning: string): Promise<SubmitResult> {
    return this.api.proposeResolution(this.workspace, conflictId, { ...choice, reasoning })
  }

  /**
   * Follows the workspace's conflicts as they are recorded, changed or resolved (the server's
   * event stream, reconnecting with backoff); `onReady` runs on every (re)connect, when a caller
   * should list what it may have missed.
   */
  followConflicts(onConflict: (record: ConflictRecord) => void, onReady: () => void = () => {}): ConflictFollower {
    return followConflicts({ baseUrl: this.api.baseUrl, token: this.#token, workspace: this.workspace, onConflict, onReady })
  }

  /** Readings of `doc` grouped by stretch, from every namespace this agent may read; superseded readings only with `showSuperseded`. */
  divergences(doc: string, options: { showSuperseded?: boolean } = {}): Promise<Divergences> {
    return this.api.divergences(this.workspace, { doc: this.#idIfKnown(doc), ...(options.showSuperseded ? { superseded: 'show' } : {}) })
  }

  // --- actions on interpretive differences (server/http/routes/review.ts) ---------------
  // Acting needs the namespace to be readable; keep/reply/reject need owner, editor or reviewer,
  // promote/accept owner or editor. Each returns what the review room now records.

  /** Marks `owner`'s annotation as kept. */
  async keep(owner: string, annotationId: string): Promise<AnnotationDecision> {
    return (await this.api.keep(this.workspace, owner, annotationId)).decision
  }

  /** Replies to `owner`'s annotation (the same words again are the same reply). */
  async reply(owner: string, annotationId: string, text: string): Promise<Reply> {
    return (await this.api.reply(this.workspace, owner, annotationId, text)).reply
  }

  /** Copies `owner`'s annotation into the shared document's notes, written as this agent. */
  promote(owner: string, annotationId: string): Promise<Promoted> {
    return this.api.promote(this.workspace, owner, annotationId)
  }

  /** Applies `owner`'s proposed edit to the shared text as this agent (see AcceptResult). */
  async accept(owner: string, proposalId: string): Promise<AcceptResult> {
    try {
      return await this.api.accept(this.workspace, owner, proposalId)
    } catch (err) {
      if (!(err instanceof ApiRequestError) || err.status !== 409) throw err
      if (err.code === 'stale') return { status: 'stale', message: err.message }
      if (err.code !== 'proposal_conflict') throw err
      const view = await this.proposal(owner, proposalId)
      return { status: 'conflict', conflict: view.decision?.conflict ?? '', message: err.message }
    }
  }

  /** Declines `owner`'s proposed edit. */
  async reject(owner: string, proposalId: string): Promise<ProposalDecision> {
    return (await this.api.reject(this.workspace, owner, proposalId)).decision
  }

  /** One proposal with its placement on the current text and its status. */
  proposal(owner: string, proposalId: string): Promise<ProposalView> {
    return this.api.proposal(this.workspace, owner, proposalId)
  }

  // --- presence and durability ---------------------------------------------------------

  /** Published through awareness: people see what the agent is doing. */
  setStatus(state: AgentState, detail?: string, doc?: string): void {
    const awareness = this.sharedSync.provider.awareness
    awareness.setLocalStateField('status', { state, ...(detail ? { detail } : {}), at: Date.now() })
    if (doc !== undefined) awareness.setLocalStateField('doc', doc)
  }

  /** Resolves when the server has durably stored everything written so far, in both rooms. */
  async flushed(): Promise<void> {
    await Promise.all([this.sharedSync.flushed(), this.namespaceSync.flushed()])
  }

  /**
   * Waits for durability while connected; resolves false at once (or as soon as the
   * connection drops) when offline, so one unsynced review never stalls the next: the
   * local store keeps the changes and they sync on reconnect.
   */
  async flushedIfOnline(): Promise<boolean> {
    if (this.connection !== 'online') return false
    const rooms = [this.sharedSync, this.namespaceSync]
    let off = () => {}
    const dropped = new Promise<false>((resolve) => {
      const onState = (s: SyncState) => s !== 'online' && resolve(false)
      for (const r of rooms) r.on('state', onState)
      off = () => rooms.forEach((r) => r.off('state', onState))
    })
    try {
      return await Promise.race([this.flushed().then(() => true as const), dropped])
    } finally {
      off()
    }
  }

  /** Local changes (both rooms) the server has not yet acknowledged; 0 without a local store. */
  pendingChanges(): number {
    if (!this.#store) return 0
    return this.#store.pending(this.sharedSync.room) + this.#store.pending(this.namespaceSync.room)
  }

  /** Calls `onDenied` once if the server refuses either room (revoked token, membership removed). */
  onDenied(onDenied: (reason: string) => void): () => void {
    const rooms = [this.sharedSync, this.namespaceSync]
    const check = () => {
      const denied = rooms.find((r) => r.state === 'denied')
      if (!denied) return
      off()
      onDenied(`access to ${denied.room} denied: ${denied.deniedReason}`)
    }
    const off = () => rooms.forEach((r) => r.off('state', check))
    rooms.forEach((r) => r.on('state', check))
    check()
    return off
  }

  // --- identity -------------------------------------------------------------------------

  /** The agent's memory (its "identity file"): the note `memory` in its namespace, '' when none. */
  memory(): string {
    const v = this.namespace.getMap('notes').get(MEMORY_NOTE) as { text?: unknown } | undefined
    return typeof v?.text === 'string' ? v.text : ''
  }

  /** Replaces the memory note (bounded); kept in the namespace, so a restarted agent reads it back. */
  remember(text: string): void {
    const bounded = text.length > MAX_MEMORY_CHARS ? text.slice(text.length - MAX_MEMORY_CHARS) : text
    if (bounded === this.memory()) return
    const note = { id: MEMORY_NOTE, author: this.principal.id, text: bounded, createdAt: Date.now() }
    this.#transact(this.namespace, () => this.namespace.getMap('notes').set(MEMORY_NOTE, note))
  }

  /** A small value kept in the local store across restarts (undefined without `storeDir`): e.g. what the review loop has read. */
  localValue(key: string): string | undefined {
    return this.#store?.get(`agent:${key}`)
  }

  setLocalValue(key: string, value: string): void {
    this.#store?.set(`agent:${key}`, value)
  }

  close(): void {
    this.tasks.close()
    this.sharedSync.destroy()
    this.namespaceSync.destroy()
    this.#store?.close()
  }

  /** The id for `doc` when it names a document here; else `doc` as given (the server says what is missing). */
  #idIfKnown(doc: string): string {
    return this.documentIdIfAny(doc) ?? doc
  }

  #transact(doc: Y.Doc, fn: () => void): void {
    Y.transact(doc, fn, this.#origin)
  }

  #range(name: string, target: Target): { start: number; end: number } | null {
    if ('start' in target) return target
    // Editing is not anchoring: a passage longer than an anchor may hold is found verbatim.
    if (target.quote.length > ANCHOR_LIMITS.quote) {
      const at = this.text(name)
        .toString()
        .indexOf(target.quote, target.hint?.near ?? 0)
      return at === -1 ? null : { start: at, end: at + target.quote.length }
    }
    return anchorByQuote(this.text(name), target.quote, target.hint)?.position ?? null
  }

  #anchor(doc: string, target: Target): Anchor {
    const text = this.text(doc)
    if ('start' in target) {
      if (target.start < 0 || target.end > text.length || target.start >= target.end) {
        throw new Error(`range ${target.start}-${target.end} is outside "${doc}" (length ${text.length})`)
      }
      return createAnchor(text, target.start, target.end)
    }
    const anchor = anchorByQuote(text, target.quote, target.hint)
    if (!anchor) throw new Error(`"${target.quote.slice(0, 60)}" is not in "${doc}"`)
    return anchor
  }

  #putOnce(map: string, id: string, value: object): WriteResult {
    const m = this.namespace.getMap(map)
    if (m.has(id)) return { id, created: false }
    this.#transact(this.namespace, () => m.set(id, value))
    return { id, created: true }
  }
}
