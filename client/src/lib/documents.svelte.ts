// The document list of a workspace: `Y.Map('docs')` of name -> Y.Text in the shared room.

import * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'

export const MAX_NAME_LENGTH = 120

/** Returns why a name cannot be used, or null when it can. */
export function checkDocName(name: string, existing: Iterable<string>, current?: string): string | null {
  const trimmed = name.trim()
  if (!trimmed) return 'A document needs a name.'
  if (trimmed.length > MAX_NAME_LENGTH) return `Names are at most ${MAX_NAME_LENGTH} characters.`
  if (trimmed !== current && [...existing].includes(trimmed)) return `A document named “${trimmed}” already exists.`
  return null
}

export class Documents {
  readonly #map: Y.Map<Y.Text>
  readonly #subscribe: () => void

  constructor(doc: Y.Doc) {
    this.#map = doc.getMap<Y.Text>('docs')
    this.#subscribe = createSubscriber((update) => {
      this.#map.observe(update)
      return () => this.#map.unobserve(update)
    })
  }

  get names(): string[] {
    this.#subscribe()
    return [...this.#map.keys()].sort((a, b) => a.localeCompare(b))
  }

  text(name: string): Y.Text | null {
    this.#subscribe()
    const value = this.#map.get(name)
    return value instanceof Y.Text ? value : null
  }

  create(name: string, content = ''): string {
    const trimmed = name.trim()
    this.#map.set(trimmed, new Y.Text(content))
    return trimmed
  }

  /** Copies the text under the new name and deletes the old key in one transaction. */
  rename(from: string, to: string): string {
    const trimmed = to.trim()
    const old = this.#map.get(from)
    if (!old || trimmed === from) return from
    this.#map.doc!.transact(() => {
      this.#map.set(trimmed, new Y.Text(old.toString()))
      this.#map.delete(from)
    })
    return trimmed
  }

  delete(name: string): void {
    this.#map.delete(name)
  }
}
