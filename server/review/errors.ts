// Refusals of review actions: a DomainError with the code the API answers with.

import { DomainError } from '../errors.ts'

export type ReviewErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict'

export class ReviewError extends DomainError {
  constructor(
    kind: ReviewErrorKind,
    code: string,
    message: string,
    /** Extra fields for the error body, e.g. `{ conflict }` on proposal_conflict. */
    details: Record<string, string> = {},
  ) {
    super(kind, code, message, details)
  }
}
