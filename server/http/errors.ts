// API errors: `{ error: { code, message } }` with the HTTP status that fits.

import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
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

export function errorResponse(c: Context, err: ApiError) {
  return c.json({ error: { code: err.code, message: err.message } }, err.status)
}
