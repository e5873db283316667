import type { Severity } from '../../shared/annotations.ts'

/** One observation about the span [start, end) of the reviewed text. */
export interface Finding {
  start: number
  end: number
  /** Short machine-friendly tag, e.g. `long-sentence`. */
  label: string
  comment: string
  severity: Severity
}

export type OfflineReviewerId = 'clarity' | 'claims'

/** A deterministic reviewer that needs no network: same text in, same findings out, same order. */
export interface OfflineReviewer {
  id: OfflineReviewerId
  /** Shown to people; always says it is a built-in heuristic, not a model. */
  name: string
  /** What this reviewer reads for. */
  lens: string
  review: (text: string) => Finding[]
}
