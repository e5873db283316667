// Request id + structured log per request, body size limit, bearer auth (with failed attempts
// logged and rate-limited per client address), and error mapping.

import type { MiddlewareHandler, ErrorHandler, Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { ApiEnv } from './env.ts'
import type { ApiDeps } from './deps.ts'
import type { AuthFailures } from './AuthFailures.ts'
import { errorResponse, payloadTooLarge, tooManyRequests, unauthorized } from './errors.ts'
import { DomainError, forbidden } from '../errors.ts'

export function requestContext({ logger, httpLimits }: Pick<ApiDeps, 'logger' | 'httpLimits'>): MiddlewareHandler<ApiEnv> {
  return async function requestContext(c, next) {
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || randomUUID()
    c.set('requestId', requestId)
    c.set('log', logger.child({ requestId }))
    c.set('httpLimits', httpLimits)
    c.header('x-request-id', requestId)
    await next()
  }
}

/**
 * Refuses bodies over the limit with 413: by Content-Length before reading anything, or by
 * counting bytes while streaming when there is none (memory never exceeds the limit).
 */
export function limitBody({ httpLimits }: Pick<ApiDeps, 'httpLimits'>): MiddlewareHandler<ApiEnv> {
  return bodyLimit({
    maxSize: httpLimits.maxBodyBytes,
    onError: () => {
      throw payloadTooLarge(httpLimits.maxBodyBytes)
    },
  })
}

/** The one route that may carry its token in the query: EventSource cannot set headers. */
const EVENT_STREAM_PATH = /^\/api\/workspaces\/[^/]+\/events$/

/** The peer address of the request ('unknown' for in-process app.request()). */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  return incoming?.socket?.remoteAddress ?? 'unknown'
}

export function requireAuth({ registry, authFailures }: Pick<ApiDeps, 'registry'> & { authFailures: AuthFailures }): MiddlewareHandler<ApiEnv> {
  return async function requireAuth(c, next) {
    const address = clientAddress(c)
    const wait = authFailures.retryAfterS(address)
    if (wait !== null) {
      throw tooManyRequests('too_many_auth_failures', `too many failed authentications from ${address}: wait ${wait} s, then retry with a valid token`, wait)
    }
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    const isEventStream = c.req.method === 'GET' && EVENT_STREAM_PATH.test(c.req.path)
    const fromQuery = c.req.query('token')
    if (!match && fromQuery !== undefined && !isEventStream) {
      throw unauthorized('?token= is accepted only on the event stream (/api/workspaces/<ws>/events): send Authorization: Bearer <token> instead')
    }
    const token = match?.[1] ?? (isEventStream ? fromQuery : undefined)
    // A token another instance issued a moment ago: catch up once before refusing it.
    let principal = token ? registry.authenticate(token) : null
    if (token && !principal) {
      // (Looked up again even if this catch-up applied nothing: a concurrent one may have.) A
      // database that does not answer leaves the decision to what this instance knows.
      await registry.refresh().catch((err: unknown) => c.get('log').warn({ err }, 'registry catch-up before refusing a token failed'))
      principal = registry.authenticate(token)
    }
    if (!principal) {
      // Never log the token; the address and route are what an operator needs.
      c.get('log').warn({ address, method: c.req.method, route: c.req.path, presented: token ? 'invalid' : 'none' }, 'authentication failed')
      // A revoked token retried by a stale client is not a guess: only unknown tokens count.
      if (token && !registry.isRevokedToken(token)) authFailures.fail(address)
      throw unauthorized()
    }
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

/** The one place an error becomes a response: a DomainError by its kind, anything else a logged 500. */
export const onApiError: ErrorHandler<ApiEnv> = (err, c) => {
  if (err instanceof DomainError) return errorResponse(c, err)
  c.get('log')?.error({ err }, 'unhandled error')
  return errorResponse(c, new DomainError('internal', 'internal', 'internal error; see the server log for the request id'))
}
