// Tracing through the OpenTelemetry API only: with no tracer provider registered (the default,
// see node.ts) every call here is the API's no-op — no span is recorded, no context is carried,
// no byte is added to a message. Browser-safe (no Node SDK imported here).
import { TRACEPARENT } from '../wire/causal.ts'
import { ROOT_CONTEXT, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span } from '@opentelemetry/api'

export type { Span, Context, Attributes }

const TRACER = 'polyphony'

export function tracer() {
  return trace.getTracer(TRACER)
}

/**
 * Runs `fn` inside a new active span (a child of the active one, or of `parent`), records a
 * thrown error on it and ends it. The span is what `fn` receives, to add attributes and events.
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, parent?: Context): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, parent ?? context.active(), async (span) => {
    try {
      return await fn(span)
    } catch (err) {
      span.recordException(err as Error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message?.slice(0, 200) })
      throw err
    } finally {
      span.end()
    }
  })
}

/** The active span's context as a `traceparent` string, or undefined when nothing is traced. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {}
  propagation.inject(ctx, carrier)
  const value = carrier.traceparent
  return value !== undefined && TRACEPARENT.test(value) ? value : undefined
}

/** The remote context a `traceparent` names (the root context when it is absent or malformed). */
export function contextFrom(traceparent: string | undefined | null): Context {
  if (!traceparent || !TRACEPARENT.test(traceparent)) return ROOT_CONTEXT
  return propagation.extract(ROOT_CONTEXT, { traceparent })
}
