// The version token a read returns and an edit may send back: the shared room's state vector
// (base64, as anchors store it) plus a hash of the document's text. CRDT edits never fail on a
// stale token; the hash only lets the edit say "the text changed since your read".

import * as Y from 'yjs'
import * as buffer from 'lib0/buffer'
import { createHash } from 'node:crypto'

/** Beyond this the state vector (one entry per Yjs client ever seen) is left out: tokens stay small. */
export const MAX_VECTOR_CHARS = 4000

export function versionOf(shared: Y.Doc, text: string): string {
  const vector = buffer.toBase64(Y.encodeStateVector(shared))
  return `${vector.length <= MAX_VECTOR_CHARS ? vector : ''}.${textHash(text)}`
}

/** True when `version` was read from a different text than `text` (unknown tokens count as changed). */
export function changedSince(version: string, text: string): boolean {
  const dot = version.lastIndexOf('.')
  return dot === -1 || version.slice(dot + 1) !== textHash(text)
}

/** A short digest of a text (fast on long texts; not a security boundary). */
export function textHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16)
}
