// `Idempotency-Key` for write routes: a retried request with the same key gets the first
// answer again instead of writing twice. Bounded: a number of recent keys per principal and
// of principals, each remembered for a day at most; a key reused for a different request is
// refused rather than answered with the other request's result.

import { createHash } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ApiEnv } from './env.ts'
import { DomainError, badRequest } from '../errors.ts'

export interface IdempotencyLimits {
  keysPerPrincipal: number
  principals: number
  ttlMs: number
}

export const DEFAULT_IDEMPOTENCY_LIMITS: IdempotencyLimits = { keysPerPrincipal: 1000, principals: 10_000, ttlMs: 24 * 3_600_000 }
const MAX_KEY_LENGTH = 200

interface Stored {
  fingerprint: string
  at: number
  /** The first answer; pending while the first request runs (a concurrent retry waits for it). */
  answer: Promise<{ status: number; body: string; contentType: string }>
}

export class IdempotencyStore {
  // Maps keep insertion order: the first entry is the oldest, dropped first.
  readonly #byPrincipal = new Map<string, Map<string, Stored>>()
  readonly #limits: IdempotencyLimits

  constructor(limits: Partial<IdempotencyLimits> = {}) {
    this.#limits = { ...DEFAULT_IDEMPOTENCY_LIMITS, ...limits }
  }

  get(principal: string, key: string, now = Date.now()): Stored | undefined {
    const found = this.#byPrincipal.get(principal)?.get(key)
    return found && now - found.at < this.#limits.ttlMs ? found : undefined
  }

  put(principal: string, key: string, entry: Stored): void {
    let keys = this.#byPrincipal.get(principal)
    if (!keys) {
      if (this.#byPrincipal.size >= this.#limits.principals) this.#byPrincipal.delete(this.#byPrincipal.keys().next().value!)
      keys = new Map()
      this.#byPrincipal.set(principal, keys)
    }
    keys.delete(key)
    keys.set(key, entry)
    while (keys.size > this.#limits.keysPerPrincipal) keys.delete(keys.keys().next().value!)
  }

  forget(principal: string, key: string): void {
    this.#byPrincipal.get(principal)?.delete(key)
  }

  get size(): number {
    let n = 0
    for (const keys of this.#byPrincipal.values()) n += keys.size
    return n
  }
}

/**
 * Middleware for write routes: with an `Idempotency-Key` header, the first answer (success or
 * refusal, except server errors, which may be retried) is kept and replayed for the same key
 * with the same method, path and body; `Idempotent-Replayed: true` marks a replay.
 */
export function idempotent(store: IdempotencyStore): MiddlewareHandler<ApiEnv> {
  return async function idempotent(c, next) {
    const key = c.req.header('idempotency-key')
    if (key === undefined) return next()
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw badRequest(`Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`)
    const principal = c.get('principal').id
    const fingerprint = await fingerprintOf(c)
    const seen = store.get(principal, key)
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw new DomainError('unprocessable', 'idempotency_key_reused', `Idempotency-Key "${key.slice(0, 60)}" was used for a different request: use a new key for a new request`)
      }
      const answer = await seen.answer
      c.header('idempotent-replayed', 'true')
      c.header('content-type', answer.contentType)
      return c.body(answer.body, answer.status as ContentfulStatusCode)
    }
    let settle!: (a: { status: number; body: string; contentType: string }) => void
    let fail!: (err: unknown) => void
    const answer = new Promise<{ status: number; body: string; contentType: string }>((resolve, reject) => ((settle = resolve), (fail = reject)))
    answer.catch(() => {})
    store.put(principal, key, { fingerprint, at: Date.now(), answer })
    try {
      await next()
    } catch (err) {
      store.forget(principal, key)
      fail(err)
      throw err
    }
    // Errors thrown by handlers become responses in onError, after this middleware: they are
    // not kept, so a refused request can be corrected and retried under the same key.
    if (c.error || c.res.status >= 500) {
      store.forget(principal, key)
      fail(c.error ?? new Error('server error'))
      return
    }
    const body = await c.res.clone().text()
    settle({ status: c.res.status, body, contentType: c.res.headers.get('content-type') ?? 'application/json' })
  }
}

async function fingerprintOf(c: Context<ApiEnv>): Promise<string> {
  // Reading the body here leaves it readable for the handler (Hono caches the parsed body).
  const body = await c.req.text()
  return createHash('sha256').update(`${c.req.method} ${c.req.path}\n`).update(body).digest('base64url')
}
