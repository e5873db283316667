// Turns tracing on for a Node process (server or agent) when the standard OpenTelemetry
// variables ask for it: OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
// (OTLP over HTTP/JSON; the exporter reads OTEL_EXPORTER_OTLP_HEADERS etc. itself), with
// OTEL_SERVICE_NAME naming the process. Unset, nothing is registered: the API stays a no-op
// (zero cost; bench/tracing.ts measures it). Tests pass their own exporter.
import { NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { tracingRequested } from './requested.ts'

export interface Tracing {
  /** Sends what is buffered and stops recording. */
  shutdown(): Promise<void>
}

export interface TracingOptions {
  /** Used when OTEL_SERVICE_NAME is not set: `polyphony-server`, `polyphony-agent`. */
  serviceName: string
  /** A test's own exporter (spans exported one by one, at once). */
  exporter?: SpanExporter
  env?: Record<string, string | undefined>
}

/** Registers a tracer provider when an exporter is configured; null (and nothing registered) otherwise. */
export function startTracing({ serviceName, exporter, env = process.env }: TracingOptions): Tracing | null {
  if (!exporter && !tracingRequested(env)) return null
  if (env.OTEL_SDK_DISABLED === 'true') return null
  const processor = exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(new OTLPTraceExporter())
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || serviceName }),
    spanProcessors: [processor],
  })
  // The AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register()
  return { shutdown: () => provider.shutdown() }
}
