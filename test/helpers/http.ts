// JSON over node:http without connection reuse: a server restarted on the same port must not
// meet a stale pooled socket from the previous one (fetch's pool would).

import { request, type IncomingHttpHeaders } from 'node:http'

export interface JsonResponse<T> {
  status: number
  /** The parsed body, or its text when it is not JSON (e.g. /metrics). */
  json: T
  headers: IncomingHttpHeaders
}

/** `body` is sent as JSON; a string is sent as it is (to test malformed bodies). */
export function httpJson<T = unknown>(url: string, opts: { method?: string; token?: string; body?: unknown; localAddress?: string } = {}): Promise<JsonResponse<T>> {
  const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        agent: false,
        localAddress: opts.localAddress,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as T, headers: res.headers })
          } catch {
            resolve({ status: res.statusCode ?? 0, json: text as T, headers: res.headers })
          }
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}
