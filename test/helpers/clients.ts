// Stock y-websocket clients against a test server.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { token } from './server.ts'
import { until } from './wait.ts'
import { MESSAGE_AUTH, readPermissionDenied } from '../../shared/wire/index.ts'

export interface StockClient {
  doc: Y.Doc
  provider: WebsocketProvider
  /** Close events seen by this client's sockets: { code, reason }. */
  closes: Array<{ code: number; reason: string }>
  /** Permission-denied reasons the server sent (y-protocols auth message). */
  denials: string[]
  destroy(): void
}

export function connectStock(
  wsUrl: string,
  room: string,
  principal: string,
  opts: { doc?: Y.Doc; connect?: boolean; params?: Record<string, string>; tokenValue?: string } = {},
): StockClient {
  const doc = opts.doc ?? new Y.Doc()
  const closes: StockClient['closes'] = []
  const denials: string[] = []
  const provider = new WebsocketProvider(wsUrl, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token: opts.tokenValue ?? token(principal), ...opts.params },
    connect: opts.connect ?? true,
    disableBc: true,
  })
  provider.on('connection-close', (event: CloseEvent | null) => {
    if (event) closes.push({ code: event.code, reason: event.reason })
  })
  // The stock client only logs permission-denied; record it for assertions.
  provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
    const reason = readPermissionDenied(decoder)
    if (reason !== null) denials.push(reason)
  }
  let destroyed = false
  return {
    doc,
    provider,
    closes,
    denials,
    // Idempotent: a test may destroy a client early and the harness again at teardown.
    destroy: () => {
      if (destroyed) return
      destroyed = true
      provider.destroy()
      doc.destroy()
    },
  }
}

/** Resolves when every client's provider has synced (on its 'sync' event, no polling). */
export function synced(...clients: StockClient[]): Promise<void> {
  return until(
    clients.map((c) => c.provider),
    'sync',
    () => clients.every((c) => c.provider.synced),
    'clients to sync',
  )
}

export function text(client: StockClient, name = 'main'): Y.Text {
  return client.doc.getText(name)
}

/** Both write while disconnected, then come back one after the other: a real concurrent edit the detector sees. */
export async function apart(a: StockClient, b: StockClient, edit: (a: Y.Doc, b: Y.Doc) => void): Promise<void> {
  a.provider.disconnect()
  b.provider.disconnect()
  edit(a.doc, b.doc)
  a.provider.connect()
  await synced(a)
  b.provider.connect()
  await synced(b)
}

/** Replaces the first `word` in `text` with `by` (throws when it is not there). */
export function replaceWord(text: Y.Text, word: string, by: string): void {
  const at = text.toString().indexOf(word)
  if (at < 0) throw new Error(`"${word}" is not in the text`)
  text.delete(at, word.length)
  text.insert(at, by)
}
