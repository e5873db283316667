// The server's one error model. Every refusal a caller can fix is a DomainError: a kind (what
// went wrong, in transport-free words), a stable code (what clients switch on) and a message that
// says how to fix it. Domain modules (registry, tasks, review, conflicts, MCP sessions) throw it;
// the HTTP edge maps a kind to a status in one place (server/http/errors.ts, onApiError).
// Anything else that escapes a handler is a bug: a 500 with the request id.

export type ErrorKind =
  'invalid' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'precondition_failed' | 'unprocessable' | 'too_large' | 'too_many_requests' | 'unavailable' | 'internal'

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    /** Extra fields that help the caller fix or understand the refusal (e.g. the current holder). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = new.target.name
  }
}

// The common refusals, with the codes clients already know.
export const badRequest = (message: string) => new DomainError('invalid', 'invalid_request', message)
export const forbidden = (message: string) => new DomainError('forbidden', 'forbidden', message)
export const notFound = (message: string) => new DomainError('not_found', 'not_found', message)
export const conflict = (message: string) => new DomainError('conflict', 'conflict', message)
