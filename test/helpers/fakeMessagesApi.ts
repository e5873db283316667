// A real HTTP server on 127.0.0.1:0 that speaks enough of POST /v1/messages for the Anthropic
// SDK, answering from a scripted queue: tool_use turns, final text, 429 with retry-after,
// 529 overloaded, 5xx, hangs (which end when the client aborts or the server closes).
// Every request is recorded with its arrival time (performance.now()).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EventEmitter, once } from 'node:events'

export type FakeBlock = { type: 'text'; text: string } | { type: 'tool_use'; id?: string; name: string; input: unknown }

export type FakeStep =
  | {
      kind: 'message'
      content: FakeBlock[]
      stopReason: 'end_turn' | 'tool_use' | 'max_tokens'
      usage?: { input_tokens: number; output_tokens: number }
      /** Answer after this long (a model that takes time to think; a response time, not a test sleep). */
      delayMs?: number
    }
  | { kind: 'error'; status: number; type: string; message: string; headers?: Record<string, string> }
  | { kind: 'hang' }

export type FakeMessageStep = Extract<FakeStep, { kind: 'message' }>

/** Builders for script steps; spread in `usage` to fix the reported token counts. */
export const step = {
  toolUse: (...calls: Array<{ name: string; input: unknown; id?: string }>): FakeMessageStep => ({
    kind: 'message',
    content: calls.map((call) => ({ type: 'tool_use', ...call })),
    stopReason: 'tool_use',
  }),
  text: (text: string): FakeMessageStep => ({ kind: 'message', content: [{ type: 'text', text }], stopReason: 'end_turn' }),
  rateLimited: (headers: { 'retry-after'?: string; 'retry-after-ms'?: string } = {}): FakeStep => ({
    kind: 'error',
    status: 429,
    type: 'rate_limit_error',
    message: 'Number of requests has exceeded your rate limit',
    headers,
  }),
  overloaded: (): FakeStep => ({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' }),
  serverError: (status = 500): FakeStep => ({ kind: 'error', status, type: 'api_error', message: 'Internal server error' }),
  error: (status: number, type: string, message = type): FakeStep => ({ kind: 'error', status, type, message }),
  hang: (): FakeStep => ({ kind: 'hang' }),
}

export interface RecordedRequest {
  /** Arrival time, performance.now(). */
  at: number
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: any
  /** Which scripted step answered, or 'unscripted' when the queue was empty. */
  served: FakeStep['kind'] | 'unscripted'
  /** For a hang: when the client gave up and closed the connection. */
  abortedAt?: number
}

export interface FakeMessagesApi {
  /** Base URL for the SDK (`baseURL`). */
  url: string
  script(...steps: FakeStep[]): void
  readonly requests: RecordedRequest[]
  /** Scripted steps not yet served. */
  remaining(): number
  /** Resolves once at least `count` requests have arrived. */
  waitForRequests(count: number): Promise<void>
  /** Resolves once request `index` (a hang) has been closed by the client. */
  waitForAbort(index: number): Promise<void>
  close(): Promise<void>
}

export async function startFakeMessagesApi(): Promise<FakeMessagesApi> {
  const queue: FakeStep[] = []
  const requests: RecordedRequest[] = []
  const changes = new EventEmitter()
  let messageCount = 0

  const server = createServer((req, res) => {
    const at = performance.now()
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      let body: any
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null')
      } catch {
        body = undefined
      }
      const valid =
        req.method === 'POST' &&
        req.url?.split('?')[0] === '/v1/messages' &&
        // SDK 1.x sends the key as `Authorization: Bearer`; older ones as `x-api-key`.
        (typeof req.headers['x-api-key'] === 'string' || /^Bearer \S+/.test(req.headers.authorization ?? '')) &&
        typeof body?.model === 'string' &&
        typeof body?.max_tokens === 'number' &&
        Array.isArray(body?.messages)
      const next = valid ? queue.shift() : undefined
      const record: RecordedRequest = {
        at,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        served: next?.kind ?? 'unscripted',
      }
      requests.push(record)
      changes.emit('request')
      if (!valid) return sendError(res, 400, 'invalid_request_error', 'fake: not a valid Messages API request')
      if (!next) return sendError(res, 400, 'invalid_request_error', 'fake: no scripted response left')
      if (next.kind === 'hang') {
        // Never answer; the response closes when the client aborts or the server shuts down.
        res.on('close', () => {
          record.abortedAt = performance.now()
          changes.emit('abort')
        })
        return
      }
      if (next.kind === 'error') return sendError(res, next.status, next.type, next.message, next.headers)
      messageCount++
      const answeredAs = messageCount
      let toolCount = 0
      const content = next.content.map((block) => (block.type === 'tool_use' ? { ...block, id: block.id ?? `toolu_fake_${answeredAs}_${++toolCount}` } : block))
      const answer = () =>
        send(res, 200, {
          id: `msg_fake_${answeredAs}`,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content,
          stop_reason: next.stopReason,
          stop_sequence: null,
          usage: next.usage ?? {
            input_tokens: Math.ceil(JSON.stringify(body.messages).length / 4),
            output_tokens: Math.ceil(JSON.stringify(content).length / 4),
          },
        })
      if (next.delayMs) setTimeout(() => !res.destroyed && answer(), next.delayMs)
      else answer()
    })
  })

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  function until(event: string, done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve()
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return
        changes.off(event, check)
        resolve()
      }
      changes.on(event, check)
    })
  }

  return {
    url: `http://127.0.0.1:${port}`,
    script: (...steps) => void queue.push(...steps),
    requests,
    remaining: () => queue.length,
    waitForRequests: (count) => until('request', () => requests.length >= count),
    waitForAbort: (index) => until('abort', () => requests[index]?.abortedAt !== undefined),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
    },
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

function sendError(res: ServerResponse, status: number, type: string, message: string, headers?: Record<string, string>) {
  send(res, status, { type: 'error', error: { type, message } }, { 'request-id': `req_fake_${status}`, ...headers })
}
