// Several servers on one database: an API request that needs a room another live instance
// owns (a conflict resolution, a document edit, a task reflected into its room, a read of the
// live document) is forwarded whole to that owner, with the caller's own credentials, and the
// owner's answer is returned unchanged. Handlers touch the room before they record anything
// (see ConflictService.resolve), so a request that fails here with OwnedElsewhere has changed
// nothing and runs once, at the owner.

import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'
import { OwnedElsewhere } from '../storage/ownership.ts'
import { DomainError } from '../errors.ts'

/** Marks a forwarded request: it is answered where it lands, never forwarded again (no loops). */
export const FORWARDED_HEADER = 'x-polyphony-forwarded'

/** Request headers the owner needs; hop-by-hop and length headers are recomputed by fetch. */
const PASSED = ['authorization', 'content-type', 'accept', 'traceparent', 'tracestate', 'x-request-id', 'last-event-id']

export interface ForwardOptions {
  logger: Logger
  /** Give up on an owner that does not answer in this time, ms. */
  timeoutMs?: number
}

export function forwardToOwner({ logger, timeoutMs = 15_000 }: ForwardOptions): MiddlewareHandler {
  return async function forwardToOwner(c, next) {
    const forwarded = c.req.header(FORWARDED_HEADER) !== undefined
    // A handler reads the body once; keep a copy in case the request must be sent on (bodies
    // are bounded by limitBody before this runs).
    const body = forwarded || c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.raw.clone().arrayBuffer()
    await next()
    const err = c.error
    if (!(err instanceof OwnedElsewhere)) return
    if (forwarded || !err.url) {
      // Reached the wrong instance after a forward (the room moved meanwhile): the caller retries.
      throw new DomainError('unavailable', 'room_moved', `room ${err.room} is moving between server instances: retry the request`)
    }
    const url = new URL(c.req.url)
    const target = err.url.replace(/\/$/, '') + url.pathname + url.search
    const headers = new Headers({ [FORWARDED_HEADER]: '1' })
    for (const name of PASSED) {
      const value = c.req.header(name)
      if (value !== undefined) headers.set(name, value)
    }
    let answer: Response
    try {
      answer = await fetch(target, { method: c.req.method, headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' })
    } catch (cause) {
      logger.warn({ err: cause, owner: err.owner, room: err.room }, 'forwarding to the room owner failed')
      throw new DomainError('unavailable', 'owner_unreachable', `the server instance that holds room ${err.room} did not answer: retry in a few seconds`)
    }
    // Replace the error response outright (setting c.res over it would merge its headers in).
    c.res = undefined as unknown as Response
    const back = new Headers(answer.headers)
    for (const name of ['content-encoding', 'transfer-encoding', 'connection', 'keep-alive']) back.delete(name)
    c.res = new Response(answer.body, { status: answer.status, headers: back })
  }
}
