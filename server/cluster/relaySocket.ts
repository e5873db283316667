// Relays a client's socket to the instance that owns its room (several servers on one
// database). The relay is a transparent proxy: it opens the same /sync/<room> URL on the owner
// with the client's own credentials, so the owner authenticates and authorizes the socket again
// from the shared registry, applies its rate limits and caps, and the conflict detector there
// sees every writer. Bytes pass through unchanged in both directions, with flow control, so a
// stock y-websocket client cannot tell it is relayed.

import { WebSocket } from 'ws'
import type { Logger } from 'pino'
import { CLOSE } from '../../shared/wire/index.ts'

/** Header marking a relayed upgrade: the owner must not relay it again (no loops). */
export const RELAYED_HEADER = 'x-polyphony-relayed'

export interface RelayTarget {
  /** The owner's advertised http(s) URL. */
  ownerUrl: string
  /** The client's request path and query, as received (`/sync/<room>?…`). */
  path: string
  /** The client's offered subprotocols (a token may travel there). */
  protocols: string[]
}

export interface RelayOptions {
  logger: Logger
  /** Give up on an owner that does not complete the handshake in this time, ms. */
  handshakeTimeoutMs: number
  /** Ping the owner this often; no pong by the next ping means it is gone (a paused process). */
  pingIntervalMs: number
  /** Bytes in flight towards a socket before the other side is paused. */
  highWaterBytes?: number
  /** Told when the relay ends, once. */
  onEnd?: () => void
}

/** Codes a close frame cannot carry (1005, 1006, 1015) and ws's own, replaced when forwarding. */
function forwardable(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
}

export function relaySocket(client: WebSocket, target: RelayTarget, opts: RelayOptions): void {
  const high = opts.highWaterBytes ?? 1 << 20
  const url = target.ownerUrl.replace(/^http/, 'ws').replace(/\/$/, '') + target.path
  const upstream = new WebSocket(url, target.protocols, {
    headers: { [RELAYED_HEADER]: '1' },
    handshakeTimeout: opts.handshakeTimeoutMs,
    perMessageDeflate: false,
    maxPayload: 0,
  })
  let ended = false
  const end = (code: number, reason: string): void => {
    if (ended) return
    ended = true
    clearInterval(pinger)
    if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING) client.close(forwardable(code) ? code : CLOSE.roomMoved, reason.slice(0, 120))
    client.resume()
    if (upstream.readyState === WebSocket.OPEN) upstream.close(CLOSE.normal)
    else upstream.terminate()
    opts.onEnd?.()
  }

  pipe(client, upstream, high)
  pipe(upstream, client, high)
  // The adapter holds a socket's reads while it decides where the room lives: read again now
  // (messages wait in `pipe` until the owner answers, and pings keep being answered).
  client.resume()
  upstream.on('close', (code, reason) => end(code, reason.toString() || 'the room moved to another instance: reconnect'))
  upstream.on('error', (err) => {
    opts.logger.warn({ err: err.message, owner: target.ownerUrl }, 'relay to the room owner failed')
    end(CLOSE.roomMoved, 'the room owner is unreachable: reconnect')
  })
  upstream.on('unexpected-response', (_req, res) => {
    opts.logger.warn({ status: res.statusCode, owner: target.ownerUrl }, 'room owner refused the relayed upgrade')
    end(CLOSE.roomMoved, 'the room owner refused the relay: reconnect')
  })
  client.on('close', () => end(CLOSE.normal, 'client left'))
  client.on('error', () => end(CLOSE.normal, 'client socket failed'))

  // A SIGSTOPped owner keeps its TCP sockets open but never answers: ping it, and treat a
  // missing pong by the next ping as a lost owner, so clients reconnect and the room moves.
  let answered = true
  upstream.on('pong', () => (answered = true))
  const pinger = setInterval(() => {
    if (upstream.readyState !== WebSocket.OPEN) return
    if (!answered) return end(CLOSE.roomMoved, 'the room owner stopped answering: reconnect')
    answered = false
    upstream.ping()
  }, opts.pingIntervalMs)
  pinger.unref()
}

/**
 * Forwards `from`'s messages to `to`, pausing `from` while more than `high` bytes sent to `to`
 * are not yet written to its socket (a slow reader on one side must not grow memory on the relay).
 * Messages that arrive while `to` is still connecting wait in order; `from` keeps reading (so it
 * still answers pings) until they pass the same bound.
 */
function pipe(from: WebSocket, to: WebSocket, high: number): void {
  let inFlight = 0
  let paused = false
  const waiting: Array<{ data: WebSocket.RawData; isBinary: boolean }> = []
  const send = (data: WebSocket.RawData, isBinary: boolean, size: number): void => {
    to.send(data, { binary: isBinary }, () => {
      inFlight -= size
      if (paused && inFlight <= high / 2) {
        paused = false
        from.resume()
      }
    })
  }
  to.once('open', () => {
    for (const m of waiting.splice(0)) send(m.data, m.isBinary, byteLength(m.data))
  })
  from.on('message', (data, isBinary) => {
    if (to.readyState === WebSocket.CONNECTING) waiting.push({ data, isBinary })
    else if (to.readyState !== WebSocket.OPEN) return
    const size = byteLength(data)
    inFlight += size
    if (to.readyState === WebSocket.OPEN) send(data, isBinary, size)
    if (!paused && inFlight > high) {
      paused = true
      from.pause()
    }
  })
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0)
  return data instanceof ArrayBuffer ? data.byteLength : data.length
}
