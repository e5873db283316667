// A promoted annotation as a note in the shared document's `Y.Map('notes')`: the reading
// becomes shared, still saying whose reading it was and who made it shared.

import type { Anchor } from '../anchoring/index.ts'

export interface SharedNote {
  /** `<owner>/<annotationId>`: promoting again rewrites nothing. */
  id: string
  kind: 'promoted-annotation'
  doc: string
  quote: string
  comment: string
  label: string | null
  severity: string | null
  /** The annotation's author (the namespace owner). */
  author: string
  promotedBy: string
  promotedAt: number
  /** The original anchor, so the note stays attached to its words. */
  target: Anchor
}
