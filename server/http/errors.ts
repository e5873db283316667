// API errors: `{ error: { code, message, ...details } }` with the HTTP status of the error's kind.
// Every refusal is a DomainError (server/errors.ts), thrown wherever it is found and turned into
// a response once, by onApiError (middleware.ts) through errorResponse below.

import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { DomainError, type ErrorKind } from '../errors.ts'

export const STATUS_OF: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  unprocessable: 422,
  too_large: 413,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
}

/** A refusal at the HTTP edge that also sets response headers (Retry-After, Connection). */
export class HttpError extends DomainError {
  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    readonly headers: Record<string, string>,
  ) {
    super(kind, code, message)
  }
}

export const unauthorized = (message = 'missing or invalid bearer token: send Authorization: Bearer <token>') => new DomainError('unauthorized', 'unauthorized', message)

/** 429 with Retry-After (seconds): the client may try again after that long. */
export const tooManyRequests = (code: string, message: string, retryAfterS: number) =>
  new HttpError('too_many_requests', code, message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterS))) })
export const payloadTooLarge = (maxBytes: number) =>
  new HttpError('too_large', 'payload_too_large', `request body is larger than ${maxBytes} bytes: send less (split it into several requests)`, { connection: 'close' })

export function errorResponse(c: Context, err: DomainError) {
  if (err instanceof HttpError) for (const [name, value] of Object.entries(err.headers)) c.header(name, value)
  return c.json({ error: { ...err.details, code: err.code, message: err.message } }, STATUS_OF[err.kind])
}
