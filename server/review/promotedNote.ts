// Builds the shared note a promoted annotation becomes (shared/review/sharedNote.ts).

import type { Annotation } from '../../shared/annotations.ts'
import type { SharedNote } from '../../shared/review/sharedNote.ts'

export function promotedNote(id: string, a: Annotation, by: string, at: number): SharedNote {
  return {
    id,
    kind: 'promoted-annotation',
    doc: a.doc,
    quote: a.target.quote.exact,
    comment: a.body.comment,
    label: a.body.label ?? null,
    severity: a.body.severity ?? null,
    author: a.author,
    promotedBy: by,
    promotedAt: at,
    target: a.target,
  }
}
