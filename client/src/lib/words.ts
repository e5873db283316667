// Plain words for internal terms that reach the screen.

import type { OrphanReason } from '../../../shared/anchoring/index.ts'

/** Why a note no longer points at any text, said the way a reader would say it. */
export function orphanReason(reason: OrphanReason): string {
  switch (reason) {
    case 'not-found':
      return 'its words are no longer in the text'
    case 'ambiguous':
      return 'its words now appear in several places'
    case 'not-synced':
      return 'the text it was written on has not arrived yet'
    case 'invalid':
      return 'its quote is too long to look for'
  }
}
