// Request id + structured log per request, bearer auth, and error mapping.

import type { MiddlewareHandler, ErrorHandler } from 'hono'
import { randomUUID } from 'node:crypto'
import type { ApiEnv } from './env.ts'
import type { ApiDeps } from './deps.ts'
import { ApiError, errorResponse, forbidden, unauthorized } from './errors.ts'
import { RegistryError } from '../registry/index.ts'

export function requestContext({ logger, metrics }: Pick<ApiDeps, 'logger' | 'metrics'>): MiddlewareHandler<ApiEnv> {
  return async function requestContext(c, next) {
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || randomUUID()
    c.set('requestId', requestId)
    c.set('log', logger.child({ requestId }))
    c.header('x-request-id', requestId)
    await next()
    metrics.httpRequests.inc({ method: c.req.method, status: String(c.res.status) })
  }
}

export function requireAuth({ registry }: Pick<ApiDeps, 'registry'>): MiddlewareHandler<ApiEnv> {
  return async function requireAuth(c, next) {
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    // EventSource cannot set headers: the event stream alone may carry the token in the query.
    const fromQuery = c.req.method === 'GET' && c.req.path.endsWith('/events') ? c.req.query('token') : undefined
    const token = match?.[1] ?? fromQuery
    const principal = token ? registry.authenticate(token) : null
    if (!principal) throw unauthorized()
    c.set('principal', principal)
    c.set('log', c.get('log').child({ principal: principal.id }))
    await next()
  }
}

export function requireAdmin(): MiddlewareHandler<ApiEnv> {
  return async function requireAdmin(c, next) {
    if (!c.get('principal').admin) throw forbidden('only server administrators may do this')
    await next()
  }
}

const REGISTRY_STATUS = { conflict: 409, not_found: 404, invalid: 400 } as const

export const onApiError: ErrorHandler<ApiEnv> = (err, c) => {
  if (err instanceof ApiError) return errorResponse(c, err)
  if (err instanceof RegistryError) return errorResponse(c, new ApiError(REGISTRY_STATUS[err.code], err.code, err.message))
  c.get('log')?.error({ err }, 'unhandled error')
  return errorResponse(c, new ApiError(500, 'internal', 'internal error; see the server log for the request id'))
}
