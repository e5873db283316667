// The WebSocket adapter: upgrades `/sync/<room>` requests on the HTTP server, authorizes
// them, and hands each socket to the sync core. All protocol work happens in the core.

import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Logger } from 'pino'
import type { SyncCore } from '../core/SyncCore.ts'
import type { ServerMetrics } from '../metrics.ts'
import { CLOSE, KEEP_ALIVE_MESSAGE, PERSISTED_QUERY_PARAM } from '../../shared/wire/index.ts'
import { authorizeSocket, type AccessLookup, type SocketDecision } from './authorizeSocket.ts'
import type { AuthFailures } from '../http/AuthFailures.ts'
import { RELAYED_HEADER, relaySocket } from '../cluster/relaySocket.ts'
import { RelayCounts } from '../cluster/RelayCounts.ts'
import { binaryFrame } from './sharedFrames.ts'

export const SYNC_PATH = '/sync/'
/** Alternative to ?token=: the subprotocol `polyphony.token.<token>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'polyphony.token.'

export interface AttachSyncOptions {
  core: SyncCore
  access: AccessLookup
  metrics: ServerMetrics
  logger: Logger
  /** Failed authentications per client address, shared with the HTTP API. */
  authFailures?: AuthFailures
  /** A revoked token retried by a reconnecting client is not a guess and is not counted. */
  isRevokedToken?: (token: string) => boolean
  /**
   * Several servers on one database: where `room` is served. 'local' loads it here (taking
   * it over if its owner is gone); 'relay' proxies the socket to the live owner. Absent: local.
   */
  route?: (room: string) => Promise<RoomRoute>
  /**
   * Catches the access facts up with other instances (the registry on Postgres). A refused socket is decided once more after it, so a token or membership
   * created on another instance a moment ago is not refused here.
   */
  refreshAccess?: () => Promise<unknown>
}

/** 'moved': another instance holds the room but cannot be reached yet; the client reconnects. */
/**
 * A live owner answers a relayed upgrade in milliseconds; one that does not within this time is
 * paused or failing, and the client is sent to reconnect (by then the room may have moved).
 */
const RELAY_HANDSHAKE_TIMEOUT_MS = 3000

export type RoomRoute = { kind: 'local' } | { kind: 'relay'; ownerUrl: string } | { kind: 'moved' }

export function attachSync(server: Server, opts: AttachSyncOptions): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.core.limits.maxMessageBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) ?? false,
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith(SYNC_PATH)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
      return
    }
    holdFirstWrites(socket)
    wss.handleUpgrade(req, socket, head, (ws) => {
      wss.emit('connection', ws, req)
      onSocket(ws, req, url, opts, relays)
    })
  })
  const relays = new RelayCounts(opts.core.limits.maxSocketsPerPrincipal)
  watchLiveness(wss, opts.core.limits.pingIntervalMs, opts.metrics)
  keepAlive(wss, opts.core.limits.keepAliveIntervalMs)
  return wss
}

/**
 * Holds what the server writes on a new socket until the end of this event-loop turn: the
 * upgrade response, and the room's opening sync step 1 when the room loads within the turn
 * (a room in memory, or SQLite), leave in one write syscall instead of two. A refusal's close
 * frame joins them the same way; `end()` flushes whatever is held at once.
 */
function holdFirstWrites(socket: Duplex): void {
  socket.cork()
  setImmediate(() => socket.uncork())
}

/** Sockets handed to the core: only they get keep-alives (a refused socket hears nothing but its close). */
const accepted = new WeakSet<WebSocket>()

/** Idle sockets hear from the server regularly, so stock clients do not take silence for a dead link. */
function keepAlive(wss: WebSocketServer, intervalMs: number): void {
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (accepted.has(ws) && ws.readyState === ws.OPEN && ws.bufferedAmount === 0) ws.send(KEEP_ALIVE_MESSAGE, { binary: true })
    }
  }, intervalMs)
  timer.unref()
  wss.on('close', () => clearInterval(timer))
}

/**
 * A peer that vanishes without FIN or RST (lid closed, NAT drop) would hold its room and its
 * quota forever: ping every interval and cut sockets that did not answer the previous ping.
 */
function watchLiveness(wss: WebSocketServer, intervalMs: number, metrics: ServerMetrics): void {
  const alive = new WeakMap<WebSocket, boolean>()
  wss.on('connection', (ws: WebSocket) => {
    alive.set(ws, true)
    ws.on('pong', () => alive.set(ws, true))
  })
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      // A socket the server stopped reading (rate limit, a long room queue) cannot show its pong,
      // which waits behind what it sent before: it is judged once it is read again. The pause is
      // the server's, bounded by what the peer had already sent.
      if (ws.isPaused) {
        alive.set(ws, true)
        continue
      }
      if (alive.get(ws) === false) {
        metrics.refused.inc({ reason: 'no_pong' })
        ws.terminate()
        continue
      }
      alive.set(ws, false)
      ws.ping()
    }
  }, intervalMs)
  timer.unref()
  wss.on('close', () => clearInterval(timer))
}

/**
 * Ends every socket at shutdown: asks the open ones to close, waits up to `graceMs` for the
 * close handshakes, then cuts the rest (an unresponsive peer must not hold the server open).
 */
export async function closeSockets(wss: WebSocketServer, graceMs: number): Promise<void> {
  const pending = [...wss.clients].filter((ws) => ws.readyState !== ws.CLOSED)
  for (const ws of pending) {
    if (ws.readyState === ws.OPEN) ws.close(CLOSE.goingAway, 'server shutting down')
    ws.resume()
  }
  if (pending.length > 0) {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.all(pending.map((ws) => new Promise((resolve) => (ws.readyState === ws.CLOSED ? resolve(null) : ws.once('close', resolve))))),
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ])
    clearTimeout(timer)
    for (const ws of wss.clients) ws.terminate()
  }
  await new Promise<void>((resolve) => wss.close(() => resolve()))
}

function protocolsOf(req: IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
}

function tokenOf(req: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token')
  if (fromQuery) return fromQuery
  const protocols = protocolsOf(req)
  const proto = protocols.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX))
  return proto ? proto.slice(TOKEN_SUBPROTOCOL_PREFIX.length) : null
}

function onSocket(ws: WebSocket, req: IncomingMessage, url: URL, opts: AttachSyncOptions, relays: RelayCounts): void {
  ws.on('error', (err) => opts.logger.debug({ err: err.message }, 'socket error'))
  let roomName: string
  try {
    roomName = decodeURIComponent(url.pathname.slice(SYNC_PATH.length))
  } catch {
    closeSocket(ws, CLOSE.notFound, 'room name is not valid URL encoding', opts.core.limits.closeGraceMs)
    return
  }
  const address = req.socket.remoteAddress ?? 'unknown'
  const wait = opts.authFailures?.retryAfterS(address) ?? null
  if (wait !== null) {
    opts.metrics.refused.inc({ reason: 'auth_failures' })
    closeSocket(ws, CLOSE.tooManyRequests, `too many failed authentications from this address: wait ${wait} s`, opts.core.limits.closeGraceMs)
    return
  }
  const token = tokenOf(req, url)
  const decision = authorizeSocket(opts.access, token, roomName)
  if (!decision.ok && opts.refreshAccess) {
    // Hold the client's first messages until it is decided again (ws drops messages nobody listens to).
    ws.pause()
    opts.refreshAccess().then(
      () => {
        ws.resume()
        // Decided again even if this catch-up applied nothing: a concurrent one may have.
        if (ws.readyState === ws.OPEN) decided(ws, req, url, roomName, token, authorizeSocket(opts.access, token, roomName), opts, relays)
      },
      (err: unknown) => {
        opts.logger.warn({ err }, 'catching up the registry before refusing a socket failed')
        ws.resume()
        if (ws.readyState === ws.OPEN) decided(ws, req, url, roomName, token, decision, opts, relays)
      },
    )
    return
  }
  decided(ws, req, url, roomName, token, decision, opts, relays)
}

/** Refuses the socket, or hands it to the room: here or relayed to the room's owner. */
function decided(
  ws: WebSocket,
  req: IncomingMessage,
  url: URL,
  roomName: string,
  token: string | null,
  decision: SocketDecision,
  opts: AttachSyncOptions,
  relays: RelayCounts,
): void {
  const address = req.socket.remoteAddress ?? 'unknown'
  if (!decision.ok) {
    opts.metrics.refused.inc({ reason: decision.code === CLOSE.unauthenticated ? 'unauthenticated' : 'forbidden' })
    if (decision.code === CLOSE.unauthenticated) {
      opts.logger.warn({ address, route: SYNC_PATH, room: roomName.slice(0, 120), presented: token ? 'invalid' : 'none' }, 'authentication failed')
      if (token && !opts.isRevokedToken?.(token)) opts.authFailures?.fail(address)
    }
    closeSocket(ws, decision.code, decision.reason, opts.core.limits.closeGraceMs)
    return
  }
  if (!opts.route) return accept(ws, req.socket, url, roomName, decision, opts)
  // Deciding where the room lives may take a database round trip: hold the socket's reads
  // (nothing is lost) until it is attached here or relayed.
  ws.pause()
  const grace = opts.core.limits.closeGraceMs
  opts.route(roomName).then(
    (route) => {
      if (ws.readyState !== ws.OPEN) return
      if (route.kind === 'local') {
        accept(ws, req.socket, url, roomName, decision, opts)
        ws.resume()
        return
      }
      // A relayed socket that does not land on the owner goes back to its client, which
      // reconnects and is routed afresh: relays never chain.
      if (route.kind === 'moved' || req.headers[RELAYED_HEADER] !== undefined) return closeSocket(ws, CLOSE.roomMoved, 'the room moved to another instance: reconnect', grace)
      const principal = decision.principal.id
      if (!relays.open(principal)) {
        opts.metrics.refused.inc({ reason: 'max_sockets' })
        return closeSocket(ws, CLOSE.tooManyRequests, `at most ${relays.limit} sockets open per principal: close one and retry`, grace)
      }
      opts.metrics.relayedSockets.inc()
      relaySocket(
        ws,
        { ownerUrl: route.ownerUrl, path: req.url ?? url.pathname, protocols: protocolsOf(req) },
        {
          logger: opts.logger,
          handshakeTimeoutMs: RELAY_HANDSHAKE_TIMEOUT_MS,
          pingIntervalMs: opts.core.limits.pingIntervalMs,
          onEnd: () => {
            relays.close(principal)
            opts.metrics.relayedSockets.dec()
          },
        },
      )
    },
    (err: unknown) => {
      opts.logger.error({ err, room: roomName }, 'could not decide where the room is served')
      closeSocket(ws, CLOSE.internalError, 'room could not be loaded', grace)
    },
  )
}

/** Hands an authorized socket to this instance's sync core. */
function accept(ws: WebSocket, socket: Socket, url: URL, roomName: string, decision: Extract<SocketDecision, { ok: true }>, opts: AttachSyncOptions): void {
  const conn = opts.core.connect(
    {
      send: sendCorked(ws, socket),
      close: (code, reason) => closeSocket(ws, code, reason, opts.core.limits.closeGraceMs),
      bufferedAmount: () => ws.bufferedAmount,
      pause: () => ws.pause(),
      resume: () => ws.resume(),
    },
    {
      principal: decision.principal.id,
      principalKind: decision.principal.kind,
      principalName: decision.principal.name,
      ...(decision.color ? { principalColor: decision.color } : {}),
      room: roomName,
      canWrite: decision.canWrite,
      wantsPersisted: url.searchParams.get(PERSISTED_QUERY_PARAM) === '1',
    },
  )
  accepted.add(ws)
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return conn.refuse(CLOSE.unsupportedData, 'binary frames only', 'text_frame')
    conn.receive(toBytes(data))
  })
  ws.on('close', () => conn.closedByPeer())
}

/**
 * Sends on `ws` with its TCP socket corked until the end of the current tick: every frame the
 * server sends a socket in one go (a broadcast batch's update and the probe after it, a sync
 * reply and its acknowledgement) leaves in one write syscall instead of one each.
 * What waits corked counts in ws.bufferedAmount, so the slow-reader bound still sees it.
 * An open socket is written the shared frame directly (see sharedFrames.ts): without
 * compression ws writes every frame whole and at once, so frames never interleave.
 */
function sendCorked(ws: WebSocket, socket: Socket): (data: Uint8Array) => void {
  let corked = false
  const uncork = (): void => {
    corked = false
    socket.uncork()
  }
  return (data) => {
    if (ws.readyState !== ws.OPEN) return ws.send(data, { binary: true })
    if (!corked) {
      corked = true
      socket.cork()
      process.nextTick(uncork)
    }
    socket.write(binaryFrame(data))
  }
}

/**
 * Closes with a code the peer can read, and cuts the socket if the peer has not answered
 * within `graceMs`: a peer that does not read (a slow reader, a hostile client) would
 * otherwise hold the socket and everything queued on it for ws's 30 s close timeout.
 */
function closeSocket(ws: WebSocket, code: number, reason: string, graceMs: number): void {
  ws.close(code, reason.slice(0, 120))
  // A socket paused for flow control would never read the peer's close reply (or its FIN).
  ws.resume()
  if (ws.readyState === ws.CLOSED) return
  const timer = setTimeout(() => ws.terminate(), graceMs)
  timer.unref()
  ws.once('close', () => clearTimeout(timer))
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data)
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data
}
