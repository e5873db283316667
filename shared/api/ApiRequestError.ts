// The one error a client of the HTTP API sees. It carries the server's answer
// `{ error: { code, message, ...details } }` (server/http/errors.ts) as it was sent; a server
// that could not be reached is status 0, code `unreachable`.

/** What kind of failure, for wording it to a person (client/src/lib/messages.ts). */
export type ApiErrorKind = 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'unreachable' | 'server'

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError'
  constructor(
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    /** The server's machine-readable code (e.g. `held`, `stale_fence`, `proposal_conflict`). */
    readonly code: string,
    message: string,
    /** The error object's other fields (owner, unfinished, current, conflict, ...). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }

  get kind(): ApiErrorKind {
    if (this.status === 0) return 'unreachable'
    return KIND_BY_STATUS[this.status] ?? 'server'
  }
}

const KIND_BY_STATUS: Record<number, ApiErrorKind> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 409: 'conflict' }
