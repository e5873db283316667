// Refusals of review actions, with the HTTP status and code the API answers with.

export class ReviewError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
    /** Extra fields for the error body, e.g. `{ conflict }` on proposal_conflict. */
    readonly details: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ReviewError'
  }
}
