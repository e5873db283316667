// The documents of a shared room: identity apart from name (DESIGN.md §2).
//
//   Y.Map('docs')    id → Y.Text    the text; the id never changes
//   Y.Map('titles')  id → string    the display title; renaming writes only this key
//
// A rename never moves the text, so two people renaming one document while apart are two
// writes of one key (`titles.<id>`), which the conflict detector records as a map-key
// overwrite, instead of two copies of the text under two names. Documents created before
// titles existed have no title: their id (the old name) is shown, so nothing migrates and
// every API that takes a document name keeps working with it as the id.

import * as Y from 'yjs'
import type { ConflictLocation } from './conflicts/types.ts'

export const DOCS_MAP = 'docs'
export const TITLES_MAP = 'titles'
export const MAX_TITLE_LENGTH = 120

export interface DocumentEntry {
  id: string
  /** The title, or the id when the document has none. */
  title: string
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
const ID_RANDOM_CHARS = 10

/** A short, URL-safe id (`d-` + 10 of [a-z0-9], ~52 bits) not in `taken`. */
export function newDocumentId(taken: (id: string) => boolean = () => false): string {
  // Bounded: a collision in 52 random bits is already improbable; eight in a row means a broken RNG.
  for (let attempt = 0; attempt < 8; attempt++) {
    const bytes = crypto.getRandomValues(new Uint8Array(ID_RANDOM_CHARS))
    const id = `d-${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`
    if (!taken(id)) return id
  }
  throw new Error('could not draw an unused document id (is crypto.getRandomValues working?)')
}

export const docsMap = (doc: Y.Doc): Y.Map<unknown> => doc.getMap(DOCS_MAP)
export const titlesMap = (doc: Y.Doc): Y.Map<unknown> => doc.getMap(TITLES_MAP)

/** The text of document `id`, or null when there is none. */
export function documentText(doc: Y.Doc, id: string): Y.Text | null {
  const value = docsMap(doc).get(id)
  return value instanceof Y.Text ? value : null
}

/**
 * The display title of `id`: its title when it has one, else the id itself. Any client may
 * write the map, so a title longer than the limit is shown cut (the id still finds it).
 */
export function titleOf(doc: Y.Doc, id: string): string {
  const title = titlesMap(doc).get(id)
  if (typeof title !== 'string' || !title.trim()) return id
  return title.length > MAX_TITLE_LENGTH ? `${title.slice(0, MAX_TITLE_LENGTH)}…` : title
}

/** Every document with its display title, by title then id (ids break ties between equal titles). */
export function listDocuments(doc: Y.Doc): DocumentEntry[] {
  const out: DocumentEntry[] = []
  docsMap(doc).forEach((value, id) => {
    if (value instanceof Y.Text) out.push({ id, title: titleOf(doc, id) })
  })
  return out.sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id))
}

/**
 * What a list shows for each document: its title, with the id added where several documents
 * share the title (two people created "Notes" while apart), so every entry can be told apart.
 */
export function withLabels(list: DocumentEntry[]): Array<DocumentEntry & { label: string }> {
  const count = new Map<string, number>()
  for (const d of list) count.set(d.title, (count.get(d.title) ?? 0) + 1)
  return list.map((d) => ({ ...d, label: (count.get(d.title) ?? 0) > 1 ? `${d.title} (${d.id})` : d.title }))
}

/** Display titles of the given ids (only those that are documents), for API answers. */
export function titlesFor(doc: Y.Doc, ids: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const id of ids) if (documentText(doc, id)) out[id] = titleOf(doc, id)
  return out
}

/** The document a conflict is about: its text, or its key in `docs` or `titles`; null for tasks, meta, claims, schema. */
export function documentOfLocation(location: ConflictLocation): string | null {
  if (location.kind === 'text') return location.doc
  if (location.kind === 'map' && location.path.length === 2 && (location.path[0] === DOCS_MAP || location.path[0] === TITLES_MAP)) {
    return location.path[1]
  }
  return null
}

export type Lookup = { ok: true; id: string } | { ok: false; message: string }

/**
 * Finds a document by id, else by a title only one document has. Ids win: a title equal to
 * another document's id never hides that document.
 */
export function findDocument(doc: Y.Doc, idOrTitle: string): Lookup {
  if (documentText(doc, idOrTitle)) return { ok: true, id: idOrTitle }
  const matches = listDocuments(doc).filter((d) => d.title === idOrTitle)
  if (matches.length === 1) return { ok: true, id: matches[0].id }
  if (matches.length > 1) {
    return { ok: false, message: `${matches.length} documents are titled "${idOrTitle}": use an id (${matches.map((d) => d.id).join(', ')})` }
  }
  const have = listDocuments(doc).map((d) => (d.title === d.id ? d.id : `${d.title} [${d.id}]`))
  return { ok: false, message: `no document "${idOrTitle}" (have: ${have.join(', ') || 'none'})` }
}

/** Why `title` cannot be given to a document, or null when it can. `self`: the document being renamed. */
export function checkTitle(doc: Y.Doc, title: string, self?: string): string | null {
  const trimmed = title.trim()
  if (!trimmed) return 'A document needs a title.'
  if (trimmed.length > MAX_TITLE_LENGTH) return `Titles are at most ${MAX_TITLE_LENGTH} characters.`
  // Unique titles keep "open by title" unambiguous (agents, links); concurrent offline
  // creations can still produce two equal titles, which ids then tell apart.
  const clash = listDocuments(doc).find((d) => d.id !== self && (d.title === trimmed || d.id === trimmed))
  if (clash) return `A document titled “${trimmed}” already exists.`
  return null
}

/** Creates a document titled `title` under a new id (or `id`); returns the id. Call inside a transaction to attribute it. */
export function createDocument(doc: Y.Doc, title: string, content = '', id?: string): string {
  const docs = docsMap(doc)
  const key = id ?? newDocumentId((candidate) => docs.has(candidate))
  doc.transact(() => {
    const text = new Y.Text()
    docs.set(key, text)
    if (content) text.insert(0, content)
    const trimmed = title.trim()
    if (trimmed && trimmed !== key) titlesMap(doc).set(key, trimmed)
  })
  return key
}

/** Sets the title of `id`; the text stays where it is. Writes nothing when the title is unchanged. */
export function renameDocument(doc: Y.Doc, id: string, title: string): void {
  const trimmed = title.trim()
  if (!documentText(doc, id) || titleOf(doc, id) === trimmed) return
  titlesMap(doc).set(id, trimmed)
}

/** Deletes the text and the title of `id`. */
export function deleteDocument(doc: Y.Doc, id: string): void {
  doc.transact(() => {
    docsMap(doc).delete(id)
    titlesMap(doc).delete(id)
  })
}
