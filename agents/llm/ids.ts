// Deterministic ids for agent writes: the same author writing the same thing gets the same
// id, so a retried turn or a restarted review finds its earlier write instead of duplicating it.
import { createHash } from 'node:crypto'
import type { AnnotateInput, NoteInput, ProposeInput } from './tools.ts'

function hashId(kind: string, parts: readonly string[]): string {
  return `${kind}-${createHash('sha256').update(JSON.stringify([kind, ...parts])).digest('hex').slice(0, 24)}`
}

export function annotationId(author: string, input: AnnotateInput): string {
  return hashId('annotation', [author, input.doc, input.quote, input.comment])
}

export function proposalId(author: string, input: ProposeInput): string {
  return hashId('proposal', [author, input.doc, input.quote, input.replacement])
}

export function noteId(author: string, input: NoteInput): string {
  return hashId('note', [author, input.title, input.body])
}
