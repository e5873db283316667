// Raw sockets for tests that must see exactly what goes over the wire: every frame in
// order, the close code and reason, and whether anything arrived before the close.
// Also builders for the y-websocket messages a hostile or minimal client sends.

import WebSocket from 'ws'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import {
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_PERSISTED,
  MESSAGE_SYNC,
  awarenessMessage,
  persistedRequest,
  readPermissionDenied,
  readPersistedReply,
  readSync,
  syncMessage as syncFrame,
  syncStep1Message,
} from '../../shared/wire/index.ts'
import { encodeAwarenessEntries } from '../../shared/presence/index.ts'
import { token } from './server.ts'
import { waitFor } from './wait.ts'

export type Received =
  | { kind: 'sync'; subtype: number; payload: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'denied'; reason: string }
  | { kind: 'persisted'; requestId: number; stateVector: Map<number, number> }
  | { kind: 'other'; type: number; bytes: Uint8Array }

export interface RawSocket {
  ws: WebSocket
  /** Decoded binary messages, in arrival order. */
  received: Received[]
  /** Set once the socket closed: code and reason as the client saw them. */
  closed: { code: number; reason: string } | null
  /** Whether the first event after open was the close (no message before it). */
  closedBeforeAnyMessage(): boolean
  send(data: Uint8Array): void
  /** Resolves when the socket is open; rejects if it closes first. */
  opened(): Promise<void>
  /** Resolves with the close once it happened. */
  whenClosed(timeoutMs?: number): Promise<{ code: number; reason: string }>
  /** Resolves once a received message satisfies `match`. */
  waitFor<K extends Received['kind']>(kind: K, match?: (m: Extract<Received, { kind: K }>) => boolean): Promise<Extract<Received, { kind: K }>>
  /** Sends a persisted request and resolves with the server's reply (needs read access). */
  persisted(requestId: number): Promise<Map<number, number>>
  close(): void
}

export interface RawOptions {
  /** Token value; default the cast member's token. null sends none. */
  tokenValue?: string | null
  params?: Record<string, string>
  protocols?: string[]
}

/** Opens `/sync/<room>` as `principal` with a plain `ws` socket. */
export function openRaw(wsUrl: string, room: string, principal: string, opts: RawOptions = {}): RawSocket {
  const query = new URLSearchParams(opts.params)
  const tok = opts.tokenValue === undefined ? token(principal) : opts.tokenValue
  if (tok !== null) query.set('token', tok)
  const qs = query.toString()
  const ws = new WebSocket(`${wsUrl}/${room}${qs ? `?${qs}` : ''}`, opts.protocols ?? [])
  ws.binaryType = 'nodebuffer'
  const received: Received[] = []
  const order: Array<'message' | 'close'> = []
  const socket: RawSocket = {
    ws,
    received,
    closed: null,
    closedBeforeAnyMessage: () => order[0] === 'close',
    send: (data) => ws.send(data),
    opened: () =>
      new Promise((resolve, reject) => {
        if (ws.readyState === WebSocket.OPEN) return resolve()
        if (socket.closed) return reject(new Error(`closed ${socket.closed.code}`))
        ws.once('open', () => resolve())
        ws.once('close', (code) => reject(new Error(`closed ${code} before open`)))
      }),
    whenClosed: async (timeoutMs = 10_000) => {
      await waitFor(() => socket.closed !== null, `socket on ${room} to close`, timeoutMs)
      return socket.closed!
    },
    waitFor: async (kind, match) => {
      type M = Extract<Received, { kind: typeof kind }>
      let found: M | undefined
      await waitFor(() => {
        found = received.find((m): m is M => m.kind === kind && (!match || match(m as never)))
        return found !== undefined || socket.closed !== null
      }, `a ${kind} message on ${room}`)
      if (!found) throw new Error(`socket closed (${socket.closed?.code} ${socket.closed?.reason}) before a ${kind} message`)
      return found as never
    },
    persisted: async (requestId) => {
      ws.send(persistedRequest(requestId))
      const reply = await socket.waitFor('persisted', (m) => m.requestId === requestId)
      return reply.stateVector
    },
    close: () => ws.close(),
  }
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    order.push('message')
    received.push(isBinary ? decodeServerMessage(new Uint8Array(data)) : { kind: 'other', type: -1, bytes: new Uint8Array(data) })
  })
  ws.on('close', (code, reason) => {
    order.push('close')
    socket.closed = { code, reason: reason.toString() }
  })
  ws.on('error', () => {})
  return socket
}

export function decodeServerMessage(bytes: Uint8Array): Received {
  const d = decoding.createDecoder(bytes)
  const type = decoding.readVarUint(d)
  switch (type) {
    case MESSAGE_SYNC:
      return { kind: 'sync', ...readSync(d) }
    case MESSAGE_AWARENESS:
      return { kind: 'awareness', update: decoding.readVarUint8Array(d) }
    case MESSAGE_AUTH: {
      const reason = readPermissionDenied(d)
      return reason === null ? { kind: 'other', type, bytes } : { kind: 'denied', reason }
    }
    case MESSAGE_PERSISTED: {
      const { requestId, stateVector } = readPersistedReply(d)
      return { kind: 'persisted', requestId, stateVector: Y.decodeStateVector(stateVector) }
    }
    default:
      return { kind: 'other', type, bytes }
  }
}

// --- builders for client -> server messages (the frames themselves: shared/wire/) ---

export { awarenessMessage, persistedRequest }

export function syncStep1(doc: Y.Doc = new Y.Doc()): Uint8Array {
  return syncStep1Message(doc)
}

/** A sync message (default: update) carrying `payload` as its varUint8Array. */
export function syncMessage(payload: Uint8Array, subtype: number = syncProtocol.messageYjsUpdate): Uint8Array {
  return syncFrame(subtype, payload)
}

/** An awareness update for `clientId` written by hand (so it can claim any id). */
export function awarenessEntry(clientId: number, clock: number, state: unknown): Uint8Array {
  return awarenessMessage(encodeAwarenessEntries([{ clientId, clock, state }]))
}

/** One update: inserts `s` into Y.Text `name` of a fresh doc with the given client id. */
export function textUpdate(s: string, clientId: number, name = 'main'): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = clientId
  doc.getText(name).insert(0, s)
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

/** Client ids whose structs appear in the sync updates this socket received. */
export function clientsSeen(socket: RawSocket): Set<number> {
  const ids = new Set<number>()
  for (const m of socket.received) {
    if (m.kind !== 'sync' || m.subtype === syncProtocol.messageYjsSyncStep1) continue
    for (const s of Y.decodeUpdate(m.payload).structs) ids.add(s.id.client)
  }
  return ids
}
