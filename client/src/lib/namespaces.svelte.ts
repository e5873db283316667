// Readings from the namespaces this viewer may read. We try `<ws>/ns/<member>` for every
// member; the server closes the ones we may not read with 4403 and we forget them (local
// copy included: visibility may have been revoked since the last visit).

import * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'
import { CLOSE } from '../../../shared/protocol.ts'
import { namespaceRoom } from '../../../shared/rooms.ts'
import { createAnchor } from '../../../shared/anchoring/index.ts'
import { makeAnnotation, parseAnnotation, NAMESPACE_MAPS, type Annotation, type AnnotationBody } from '../../../shared/annotations.ts'
import type { Room } from './room.svelte.ts'

export interface NamespacesOptions {
  workspace: string
  self: string
  openRoom: (name: string) => Room
}

export class Namespaces {
  readonly #options: NamespacesOptions
  readonly #rooms = new Map<string, Room>()
  readonly #hidden = new Map<string, string>()
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

  /** Opens the namespaces of these members (idempotent; call again when members change). */
  watch(members: Iterable<string>): void {
    for (const id of members) if (!this.#rooms.has(id) && !this.#hidden.has(id)) this.#open(id)
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

  /** Owner -> why the server would not let us read it. */
  get hidden(): Map<string, string> {
    this.#subscribe()
    return new Map(this.#hidden)
  }

  /** Every well-formed annotation on `doc` in the readable namespaces, oldest first. */
  forDoc(doc: string): Annotation[] {
    this.#subscribe()
    const out: Annotation[] = []
    for (const room of this.#rooms.values()) {
      for (const value of room.doc.getMap(NAMESPACE_MAPS.annotations).values()) {
        const annotation = parseAnnotation(value)
        if (annotation && annotation.doc === doc) out.push(annotation)
      }
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
  }

  /** Writes an annotation of [start, end) into the viewer's own namespace. */
  annotate(doc: string, ytext: Y.Text, start: number, end: number, body: AnnotationBody): Annotation {
    const own = this.#rooms.get(this.#options.self)
    if (!own) throw new Error('your namespace is not open')
    const annotation = makeAnnotation({ author: this.#options.self, doc, target: createAnchor(ytext, start, end), body, createdAt: Date.now() })
    own.doc.getMap(NAMESPACE_MAPS.annotations).set(annotation.id, annotation)
    return annotation
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
    room.provider.on('connection-close', (event) => {
      if (event?.code !== CLOSE.forbidden || owner === this.#options.self) return
      this.#rooms.delete(owner)
      this.#hidden.set(owner, event.reason || 'not visible to you')
      void room.forget()
      this.#notify()
    })
    this.#notify()
  }

  #notify(): void {
    for (const listener of this.#listeners) listener()
  }
}

