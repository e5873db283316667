// Headers on every response, API and static files alike: what a page of this origin may load
// and run (CSP), no MIME sniffing, no referrer sent elsewhere, never framed.
//
// The CSP allows scripts from this origin only (the built client has no inline script) and
// inline styles: CodeMirror decorations and y-codemirror.next cursors set `style` attributes
// (colours), which `style-src` without 'unsafe-inline' would block. Colours from peers are
// checked as #rrggbb before they get there (shared/presence).

import type { MiddlewareHandler } from 'hono'
import type { ApiEnv } from './env.ts'

/** `host[:port]` as a browser sends it for a loopback or named host; anything else is not echoed. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/

export function contentSecurityPolicy(host: string | undefined): string {
  // 'self' covers ws(s) of the same host in CSP 3 browsers; older ones need it spelled out.
  const sockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : ''
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export function securityHeaders(): MiddlewareHandler<ApiEnv> {
  return async function securityHeaders(c, next) {
    await next()
    c.header('content-security-policy', contentSecurityPolicy(c.req.header('host')))
    c.header('x-content-type-options', 'nosniff')
    c.header('referrer-policy', 'no-referrer')
    c.header('x-frame-options', 'DENY')
    c.header('cross-origin-opener-policy', 'same-origin')
  }
}
