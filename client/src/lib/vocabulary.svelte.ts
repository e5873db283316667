// The workspace vocabulary (label synonyms for agreement), live from the tasks room where the
// server keeps it (shared/review/vocabulary.ts); owners change it through the API.

import { createSubscriber } from 'svelte/reactivity'
import { readVocabulary, synonymIndex, VOCABULARY_MAP, type SynonymIndex } from '../../../shared/review/index.ts'
import type { Room } from './room.svelte.ts'

export class WorkspaceVocabulary {
  readonly #room: Room
  readonly #subscribe: () => void
  #key = ''
  #synonyms: SynonymIndex = new Map()

  constructor(room: Room) {
    this.#room = room
    const map = room.doc.getMap(VOCABULARY_MAP)
    this.#subscribe = createSubscriber((update) => {
      map.observe(update)
      return () => map.unobserve(update)
    })
  }

  /** The synonym index agreement uses (rebuilt only when the vocabulary changes). */
  get synonyms(): SynonymIndex {
    this.#subscribe()
    const { vocabulary } = readVocabulary(this.#room.doc)
    const key = JSON.stringify(vocabulary)
    if (key !== this.#key) {
      this.#key = key
      this.#synonyms = synonymIndex(vocabulary)
    }
    return this.#synonyms
  }
}
