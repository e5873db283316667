// API errors: `{ error: { code, message } }` with the HTTP status that fits.

import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers: Record<string, string> = {},
    /** Extra fields of the error object that help fix the request (e.g. candidates). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

export const unauthorized = (message = 'missing or invalid bearer token: send Authorization: Bearer <token>') =>
  new ApiError(401, 'unauthorized', message)
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message)
export const notFound = (message: string) => new ApiError(404, 'not_found', message)
export const conflict = (message: string) => new ApiError(409, 'conflict', message)
export const badRequest = (message: string) => new ApiError(400, 'invalid_request', message)

/** 429 with Retry-After (seconds): the client may try again after that long. */
export const tooManyRequests = (code: string, message: string, retryAfterS: number) =>
  new ApiError(429, code, message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterS))) })
export const payloadTooLarge = (maxBytes: number) =>
  new ApiError(413, 'payload_too_large', `request body is larger than ${maxBytes} bytes: send less (split it into several requests)`, { connection: 'close' })

export function errorResponse(c: Context, err: ApiError) {
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value)
  return c.json({ error: { ...err.details, code: err.code, message: err.message } }, err.status)
}
