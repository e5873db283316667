// The document list of a workspace, live: ids and titles in the shared room (shared/documents.ts).
// Renaming sets the title only; the id (and so the URL, annotations and conflicts) never changes.

import * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'
import {
  checkTitle,
  createDocument,
  deleteDocument,
  docsMap,
  documentText,
  listDocuments,
  renameDocument,
  titleOf,
  titlesMap,
  withLabels,
  type DocumentEntry,
} from '../../../shared/documents.ts'

export class Documents {
  readonly #doc: Y.Doc
  readonly #subscribe: () => void

  constructor(doc: Y.Doc) {
    this.#doc = doc
    const docs = docsMap(doc)
    const titles = titlesMap(doc)
    this.#subscribe = createSubscriber((update) => {
      docs.observe(update)
      titles.observe(update)
      return () => {
        docs.unobserve(update)
        titles.unobserve(update)
      }
    })
  }

  /** Every document, by title; `label` adds the id where titles repeat. */
  get list(): Array<DocumentEntry & { label: string }> {
    this.#subscribe()
    return withLabels(listDocuments(this.#doc))
  }

  /** Every document id (what rooms, annotations and conflicts reference). */
  get ids(): string[] {
    return this.list.map((d) => d.id)
  }

  text(id: string): Y.Text | null {
    this.#subscribe()
    return documentText(this.#doc, id)
  }

  /** The display title (the id when the document has none). */
  title(id: string): string {
    this.#subscribe()
    return titleOf(this.#doc, id)
  }

  /** Why `title` cannot be used (for `self`, when renaming), or null. */
  check(title: string, self?: string): string | null {
    return checkTitle(this.#doc, title, self)
  }

  /** Creates a document under a new id; returns the id. */
  create(title: string, content = ''): string {
    return createDocument(this.#doc, title, content)
  }

  rename(id: string, title: string): void {
    renameDocument(this.#doc, id, title)
  }

  delete(id: string): void {
    deleteDocument(this.#doc, id)
  }
}
