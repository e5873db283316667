// The Hono application: health, metrics, the JSON API and the built client.
// Handlers are testable in-process with `app.request()`.

import { Hono, type MiddlewareHandler } from 'hono'
import { serveStatic } from '@hono/node-server/serve-static'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { ApiEnv } from './env.ts'
import type { ApiDeps } from './deps.ts'
import { limitBody, onApiError, requestContext, requireAuth } from './middleware.ts'
import type { AuthFailures } from './AuthFailures.ts'
import { notFound } from '../errors.ts'
import { securityHeaders } from './securityHeaders.ts'
import { httpTelemetry } from './telemetry.ts'
import { principalRoutes } from './routes/principals.ts'
import { workspaceRoutes } from './routes/workspaces.ts'
import type { Me } from '../../shared/api/types.ts'

export interface AppOptions extends ApiDeps {
  /** Directory of the built client (vite build output); served with an SPA fallback. */
  clientDir?: string
  /** Extra authenticated API routes mounted under /api (review, tasks, ...). */
  extraRoutes?: Array<{ path: string; routes: Hono<ApiEnv> }>
  /** Failed authentications per client address (shared with the WebSocket adapter). */
  authFailures: AuthFailures
  /** Routes outside /api that do their own auth (the /mcp endpoint), mounted before the client. */
  topRoutes?: Array<{ path: string; routes: Hono<ApiEnv> }>
  /** Several servers: sends a request whose room another instance owns to that owner (server/cluster/forwardToOwner.ts). */
  ownerForwarding?: MiddlewareHandler<ApiEnv>
}

export function createApp(opts: AppOptions): Hono<ApiEnv> {
  const { registry, core, metrics } = opts
  const app = new Hono<ApiEnv>()
  app.onError(onApiError)
  app.use(securityHeaders())
  app.use(httpTelemetry(opts))
  app.use(requestContext(opts))

  app.get('/healthz', (c) => c.json({ ok: true, connections: core.connectionCount }))
  app.get('/metrics', async (c) => {
    c.header('content-type', metrics.registry.contentType)
    return c.body(await metrics.scrape())
  })

  const api = new Hono<ApiEnv>()
  api.use(requireAuth(opts))
  api.use(limitBody(opts))
  if (opts.ownerForwarding) api.use(opts.ownerForwarding)
  api.get('/me', (c) => {
    const principal = c.get('principal')
    return c.json({ principal, workspaces: registry.listWorkspacesFor(principal.id) } satisfies Me)
  })
  api.route('/principals', principalRoutes(opts))
  api.route('/workspaces', workspaceRoutes(opts))
  for (const extra of opts.extraRoutes ?? []) api.route(extra.path, extra.routes)
  api.all('*', (c) => {
    throw notFound(`no such API route ${c.req.method} ${c.req.path.slice(0, 120)}: see the HTTP API table in README.md`)
  })
  app.route('/api', api)
  for (const top of opts.topRoutes ?? []) app.route(top.path, top.routes)

  if (opts.clientDir && existsSync(join(opts.clientDir, 'index.html'))) mountClient(app, opts.clientDir)
  return app
}

function mountClient(app: Hono<ApiEnv>, clientDir: string): void {
  const root = relative(process.cwd(), clientDir) || '.'
  const index = readFileSync(join(clientDir, 'index.html'), 'utf8')
  // Hashed assets may be cached forever; everything else (sw.js, index.html) must revalidate.
  app.use('/assets/*', async function immutableAssets(c, next) {
    await next()
    if (c.res.ok) c.header('cache-control', 'public, max-age=31536000, immutable')
  })
  app.use('/assets/*', serveStatic({ root }))
  // A missing asset is a 404, never the app page: under an immutable name a stand-in would be
  // cached (by the browser and the service worker) for a year.
  app.all('/assets/*', (c) => {
    throw notFound(`no such asset ${c.req.path.slice(0, 120)}: reload the page to get the current build`)
  })
  const rootFiles = readdirSync(clientDir, { withFileTypes: true }).filter((f) => f.isFile() && f.name !== 'index.html')
  for (const file of rootFiles) {
    app.get(`/${file.name}`, async function rootFile(c, next) {
      c.header('cache-control', 'no-cache')
      return serveStatic({ root })(c, next)
    })
  }
  app.get('*', (c) => {
    c.header('cache-control', 'no-cache')
    return c.html(index)
  })
}
