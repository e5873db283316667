// One span and one latency observation per HTTP request, named by the route template
// (`/api/workspaces/:ws/docs/:id`, never the raw path: bounded label values, no ids in span
// names). A caller's `traceparent` header makes the span a child of the caller's trace.
import type { MiddlewareHandler, Context } from 'hono'
import { routePath } from 'hono/route'
import { SpanKind, context, propagation, type TextMapGetter } from '@opentelemetry/api'
import { tracer } from '../../shared/telemetry/trace.ts'
import type { ApiEnv } from './env.ts'
import type { ApiDeps } from './deps.ts'

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
}

/**
 * The route template of the handler or middleware that answered (`/api/*` for the API's
 * not-found and authentication answers); `unmatched` when nothing did.
 */
export function routeTemplate(c: Context): string {
  const path = routePath(c)
  return path === '' ? 'unmatched' : path.slice(0, 120)
}

export function httpTelemetry({ metrics }: Pick<ApiDeps, 'metrics'>): MiddlewareHandler<ApiEnv> {
  return async function httpTelemetry(c, next) {
    const parent = propagation.extract(context.active(), c.req.raw.headers, headerGetter)
    const method = c.req.method
    await tracer().startActiveSpan(`${method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent, async (span) => {
      const started = performance.now()
      try {
        await next()
      } finally {
        const route = routeTemplate(c)
        const status = String(c.res.status)
        span.updateName(`${method} ${route}`)
        span.setAttributes({ 'http.route': route, 'http.response.status_code': c.res.status })
        metrics.httpRequests.inc({ method, route, status })
        metrics.httpSeconds.observe({ method, route, status }, (performance.now() - started) / 1000)
        span.end()
      }
    })
  }
}
