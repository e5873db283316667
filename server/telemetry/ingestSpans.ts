// The spans of one update's way through a room: `polyphony.update` from the moment it is
// queued to its broadcast (events: durable, applied, broadcast), a `polyphony.detect` child
// around the conflict detector, and a `polyphony.conflict` span per record it produced. An
// update whose client sent a `traceparent` (shared/causal.ts) joins that trace: an agent's tool
// call → this update → the conflict. With tracing off these are the API's no-op spans.
import { context, trace, type Span } from '@opentelemetry/api'
import { contextFrom, tracer } from '../../shared/telemetry/trace.ts'

export interface IngestSpanStart {
  room: string
  principal: string
  bytes: number
  message: string
  traceparent?: string
}

export function startIngestSpan(s: IngestSpanStart): Span {
  return tracer().startSpan(
    'polyphony.update',
    { attributes: { 'polyphony.room': s.room, 'polyphony.principal': s.principal, 'polyphony.update.bytes': s.bytes, 'polyphony.update.message': s.message } },
    contextFrom(s.traceparent),
  )
}

/** Runs the detector inside `polyphony.detect`, a child of the update's span (records found are its children). */
export function inDetectSpan<T>(update: Span | undefined, fn: () => T): T {
  if (update === undefined || !update.isRecording()) return fn()
  const parent = trace.setSpan(context.active(), update)
  const span = tracer().startSpan('polyphony.detect', {}, parent)
  try {
    return context.with(trace.setSpan(parent, span), fn)
  } finally {
    span.end()
  }
}

/** A conflict record the detector produced, as a span of the active (detect) span. */
export function conflictSpan(record: { id: string; kind: string; parties: ReadonlyArray<{ principal: string }> }): void {
  const active = trace.getActiveSpan()
  if (!active?.isRecording()) return
  tracer()
    .startSpan('polyphony.conflict', {
      attributes: { 'polyphony.conflict.id': record.id, 'polyphony.conflict.kind': record.kind, 'polyphony.conflict.parties': record.parties.map((p) => p.principal) },
    })
    .end()
}
