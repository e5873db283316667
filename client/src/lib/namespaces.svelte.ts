// Readings from the namespaces this viewer may read. The server tells us which ones
// (`readableNamespaces` in the workspace info, the rule its sockets obey); we open exactly
// those, close the ones that stopped being readable (local copy included: visibility may have
// been revoked), and still honour a 4403 close that arrives between two refreshes.

import * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'
import { CLOSE } from '../../../shared/wire/index.ts'
import { namespaceRoom } from '../../../shared/rooms.ts'
import { createAnchor } from '../../../shared/anchoring/index.ts'
import {
  annotationBodyError,
  annotationsOn,
  makeAnnotation,
  makeProposal,
  ownItem,
  parseAnnotation,
  parseProposal,
  NAMESPACE_MAPS,
  type Annotation,
  type AnnotationBody,
  type Proposal,
} from '../../../shared/annotations.ts'
import { annotationCapError } from '../../../shared/review/index.ts'
import type { Room } from './room.svelte.ts'

export interface NamespacesOptions {
  workspace: string
  self: string
  openRoom: (name: string) => Room
}

export class Namespaces {
  readonly #options: NamespacesOptions
  readonly #rooms = new Map<string, Room>()
  /** Owner -> why the server refused the socket (until the next readable list says otherwise). */
  readonly #refused = new Map<string, string>()
  readonly #listeners = new Set<() => void>()
  readonly #subscribe: () => void

  constructor(options: NamespacesOptions) {
    this.#options = options
    this.#subscribe = createSubscriber((update) => {
      this.#listeners.add(update)
      return () => this.#listeners.delete(update)
    })
    this.#open(options.self)
  }

  /** Opens exactly these owners' namespaces (plus our own); idempotent. */
  watch(readable: Iterable<string>): void {
    const wanted = new Set(readable)
    wanted.add(this.#options.self)
    for (const id of wanted) {
      this.#refused.delete(id)
      if (!this.#rooms.has(id)) this.#open(id)
    }
    for (const [id, room] of this.#rooms) {
      if (wanted.has(id)) continue
      this.#rooms.delete(id)
      void room.forget()
    }
    this.#notify()
  }

  /** The viewer's own namespace room (always open). */
  get own(): Room {
    return this.#rooms.get(this.#options.self)!
  }

  /** Owners whose namespace we read. */
  get readable(): string[] {
    this.#subscribe()
    return [...this.#rooms.keys()]
  }

  /** Owner -> why the server closed our socket to their namespace. */
  get refused(): Map<string, string> {
    this.#subscribe()
    return new Map(this.#refused)
  }

  /** Every well-formed annotation on `doc` in the readable namespaces, oldest first. */
  forDoc(doc: string): Annotation[] {
    return [...this.byPrincipal(doc).values()].flat().sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
  }

  /** Annotations on `doc` keyed by namespace owner (the input of groupDivergences); the owner is the author, whatever a value claims. */
  byPrincipal(doc: string): Map<string, Annotation[]> {
    this.#subscribe()
    const out = new Map<string, Annotation[]>()
    for (const [owner, room] of this.#rooms) {
      const list: Annotation[] = []
      for (const value of room.doc.getMap(NAMESPACE_MAPS.annotations).values()) {
        const annotation = ownItem(owner, value, parseAnnotation)
        if (annotation && annotation.doc === doc) list.push(annotation)
      }
      if (list.length > 0) out.set(owner, list)
    }
    return out
  }

  /** Per owner, how many values on `doc` do not fit the annotation schema (e.g. beyond the anchor limits): reported, never placed. */
  invalidOn(doc: string): Map<string, number> {
    this.#subscribe()
    const out = new Map<string, number>()
    for (const [owner, room] of this.#rooms) {
      let n = 0
      for (const value of room.doc.getMap(NAMESPACE_MAPS.annotations).values()) {
        if ((value as { doc?: unknown } | null)?.doc === doc && !parseAnnotation(value)) n++
      }
      if (n > 0) out.set(owner, n)
    }
    return out
  }

  /** Proposed edits on `doc` keyed by namespace owner (only the owner's own, whatever a value claims). */
  proposalsByPrincipal(doc: string): Map<string, Proposal[]> {
    this.#subscribe()
    const out = new Map<string, Proposal[]>()
    for (const [owner, room] of this.#rooms) {
      const list: Proposal[] = []
      for (const value of room.doc.getMap(NAMESPACE_MAPS.proposals).values()) {
        const proposal = ownItem(owner, value, parseProposal)
        if (proposal && proposal.doc === doc) list.push(proposal)
      }
      if (list.length > 0) out.set(owner, list)
    }
    return out
  }

  /**
   * Writes an annotation of [start, end) into the viewer's own namespace. Throws, writing
   * nothing, when the span or body is beyond the limits or the namespace is full for `doc`.
   */
  annotate(doc: string, ytext: Y.Text, start: number, end: number, body: AnnotationBody): Annotation {
    const own = this.#rooms.get(this.#options.self)
    if (!own) throw new Error('your namespace is not open')
    const invalidBody = annotationBodyError(body)
    if (invalidBody) throw new RangeError(invalidBody)
    const map = own.doc.getMap(NAMESPACE_MAPS.annotations)
    const annotation = makeAnnotation({ author: this.#options.self, doc, target: createAnchor(ytext, start, end), body, createdAt: Date.now() })
    const full = map.has(annotation.id) ? null : annotationCapError(doc, annotationsOn(map, doc))
    if (full) throw new RangeError(full)
    map.set(annotation.id, annotation)
    return annotation
  }

  /** Writes a proposed edit of [start, end) into the viewer's own namespace; throws, writing nothing, when full. */
  propose(doc: string, ytext: Y.Text, start: number, end: number, replacement: string, rationale: string): Proposal {
    const own = this.#rooms.get(this.#options.self)
    if (!own) throw new Error('your namespace is not open')
    const map = own.doc.getMap(NAMESPACE_MAPS.proposals)
    const proposal = makeProposal({ author: this.#options.self, doc, target: createAnchor(ytext, start, end), replacement, rationale, createdAt: Date.now() })
    // The same bound as the SDK's: readers place at most so many proposals per namespace and document.
    const full = map.has(proposal.id) ? null : annotationCapError(doc, annotationsOn(map, doc), 'proposals')
    if (full) throw new RangeError(full)
    map.set(proposal.id, proposal)
    return proposal
  }

  remove(id: string): void {
    this.#rooms.get(this.#options.self)?.doc.getMap(NAMESPACE_MAPS.annotations).delete(id)
  }

  destroy(): void {
    for (const room of this.#rooms.values()) room.destroy()
    this.#rooms.clear()
  }

  #open(owner: string): void {
    const room = this.#options.openRoom(namespaceRoom(this.#options.workspace, owner))
    this.#rooms.set(owner, room)
    // Presence lives in the shared room; nobody needs to see us in namespace rooms.
    room.provider.awareness.setLocalState(null)
    room.doc.getMap(NAMESPACE_MAPS.annotations).observe(() => this.#notify())
    room.doc.getMap(NAMESPACE_MAPS.proposals).observe(() => this.#notify())
    room.provider.on('connection-close', (event) => {
      if (event?.code !== CLOSE.forbidden || owner === this.#options.self || this.#rooms.get(owner) !== room) return
      this.#rooms.delete(owner)
      this.#refused.set(owner, event.reason || 'not visible to you')
      void room.forget()
      this.#notify()
    })
    this.#notify()
  }

  #notify(): void {
    for (const listener of this.#listeners) listener()
  }
}
