// A raw Server-Sent Events reader over node:http (no EventSource): opens the stream, collects
// parsed events, and says when the server ended it.

import { request, type IncomingHttpHeaders, type ClientRequest } from 'node:http'
import { waitFor } from './wait.ts'

export interface SseEvent {
  event: string
  data: string
}

export interface SseStream {
  status: number
  headers: IncomingHttpHeaders
  /** The body of a refusal (non-200), parsed. */
  refusal: unknown
  events: SseEvent[]
  /** Resolves when the server ends the stream (or the connection drops). */
  ended: Promise<void>
  isEnded(): boolean
  waitForEvent(name: string, timeoutMs?: number): Promise<SseEvent>
  close(): void
}

/** Opens `/api/workspaces/<ws>/events`; the token goes in the query (as EventSource does) unless `bearer`. */
export function openEvents(baseUrl: string, workspace: string, token: string, opts: { bearer?: boolean; localAddress?: string } = {}): Promise<SseStream> {
  const path = `/api/workspaces/${workspace}/events${opts.bearer ? '' : `?token=${encodeURIComponent(token)}`}`
  return new Promise((resolve, reject) => {
    const req: ClientRequest = request(
      `${baseUrl}${path}`,
      { agent: false, localAddress: opts.localAddress, headers: { accept: 'text/event-stream', ...(opts.bearer ? { authorization: `Bearer ${token}` } : {}) } },
      (res) => {
        const events: SseEvent[] = []
        let ended = false
        let buffer = ''
        let body = ''
        const endedP = new Promise<void>((done) => {
          const finish = () => {
            ended = true
            done()
          }
          res.on('end', finish)
          res.on('close', finish)
          res.on('error', finish)
        })
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          if (res.statusCode !== 200) {
            body += chunk
            return
          }
          buffer += chunk
          let sep: number
          while ((sep = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, sep)
            buffer = buffer.slice(sep + 2)
            const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message'
            const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n')
            events.push({ event, data })
          }
        })
        const stream: SseStream = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          get refusal() {
            try {
              return JSON.parse(body) as unknown
            } catch {
              return body
            }
          },
          events,
          ended: endedP,
          isEnded: () => ended,
          async waitForEvent(name, timeoutMs = 10_000) {
            await waitFor(() => events.some((e) => e.event === name), `SSE event ${name}`, timeoutMs)
            return events.find((e) => e.event === name)!
          },
          close: () => req.destroy(),
        }
        if (res.statusCode === 200) resolve(stream)
        else void endedP.then(() => resolve(stream))
      },
    )
    req.on('error', reject)
    req.end()
  })
}
