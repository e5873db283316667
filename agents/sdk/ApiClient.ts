// A small JSON client for the Polyphony HTTP API with bearer auth and readable errors.

import { currentTraceparent } from '../../shared/telemetry/trace.ts'

const REQUEST_TIMEOUT_MS = 15_000

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path)
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body)
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body)
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...traceHeaders() },
        body: body === undefined ? undefined : JSON.stringify(body),
        // A server that accepts the connection but never answers must not hang the agent.
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      })
    } catch (err) {
      throw new ApiRequestError(0, 'unreachable', `cannot reach ${this.baseUrl}: ${(err as Error).message}`)
    }
    const data = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null
    if (!res.ok) {
      throw new ApiRequestError(res.status, data?.error?.code ?? 'http_error', data?.error?.message ?? `${method} ${path} failed with ${res.status}`)
    }
    return data as T
  }
}

/** The active span's trace context for the server's HTTP span (nothing when untraced). */
function traceHeaders(): Record<string, string> {
  const traceparent = currentTraceparent()
  return traceparent ? { traceparent } : {}
}
