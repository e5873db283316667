// Bounds of the HTTP edge. Every refusal is `{ error: { code, message } }` with 413/400/429
// (+ Retry-After); defaults are generous for people and agents, tight for a flood.

export interface HttpLimits {
  /** Largest request body, bytes; counted while streaming when there is no Content-Length (413). */
  maxBodyBytes: number
  /** Deepest nesting of arrays/objects a JSON body may have (400). */
  maxJsonDepth: number
  /** Open event streams (SSE) one principal may hold (429). */
  maxEventStreamsPerPrincipal: number
  /** Open event streams in total (429). */
  maxEventStreams: number
  /** How often an open event stream re-checks that its principal may still read the workspace. */
  eventStreamRecheckMs: number
  /** Keep-alive comment interval on an event stream. */
  eventStreamPingMs: number
  /** Failed authentications one client address may make per window before it gets 429. */
  maxAuthFailures: number
  authFailureWindowMs: number
  /** Expensive history reads (diff, blame, text at a version or as read, export) one principal may make at once (then 429). */
  historyReadBurst: number
  /** ...and steadily per minute after the burst. */
  historyReadsPerMinute: number
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 1024 * 1024,
  maxJsonDepth: 64,
  maxEventStreamsPerPrincipal: 8,
  maxEventStreams: 1_000,
  eventStreamRecheckMs: 30_000,
  eventStreamPingMs: 15_000,
  maxAuthFailures: 20,
  authFailureWindowMs: 60_000,
  historyReadBurst: 30,
  historyReadsPerMinute: 120,
}
