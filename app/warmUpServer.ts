// A fresh process compiles code on first use, so after a restart the first client paid for
// compiling its whole path: the HTTP upgrade, ws's handshake and framing, token auth and the
// access decision, the room's construction and load, the write queue, the sync encodings
// (docs/benchmarks.md, cold sync). warmUpServer() walks that path once at start-up, for real:
// a scratch server in memory (its own database: the real registry and storage never see it) on
// a loopback port, one throwaway principal with a random token, one writer that syncs, writes
// and waits for its durable acknowledgement, one reader that syncs what was written. The
// scratch server is closed before the real one starts. Bounded: a warm-up that fails or takes
// longer than WARM_UP_TIMEOUT_MS is given up (the real server starts regardless).

import WebSocket from 'ws'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import type { Logger } from 'pino'
import { startServer } from '../server/server.ts'
import { createLogger } from '../server/logger.ts'
import { generateToken } from '../server/registry/tokens.ts'
import {
  MESSAGE_PERSISTED,
  MESSAGE_SYNC,
  PERSISTED_QUERY_PARAM,
  persistedRequest,
  readPersistedReply,
  readSync,
  syncStep1Message,
  syncStep2Message,
  updateMessage,
} from '../shared/wire/index.ts'

/** A warm-up that has not finished by then is abandoned: it must never hold start-up for long. */
export const WARM_UP_TIMEOUT_MS = 5_000

const PRINCIPAL = 'warm-up'
const ROOM = 'warm-up/shared'
const TEXT = 'warm up the first connection'

export interface WarmUpResult {
  /** The writer's edit was acknowledged as durable and the reader synced it. */
  walked: boolean
  ms: number
}

/** Resolves once the scratch server is closed; never rejects (a failure is logged at debug). */
export async function warmUpServer(logger: Logger, { timeoutMs = WARM_UP_TIMEOUT_MS }: { timeoutMs?: number } = {}): Promise<WarmUpResult> {
  const started = performance.now()
  let walked = false
  const token = generateToken()
  let server: Awaited<ReturnType<typeof startServer>> | null = null
  let timer: NodeJS.Timeout | undefined
  try {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: ':memory:',
      logger: createLogger('silent'),
      bootstrap: {
        principals: [{ id: PRINCIPAL, kind: 'human', name: PRINCIPAL, token }],
        workspaces: [{ id: PRINCIPAL, title: PRINCIPAL, visibility: 'private', members: { [PRINCIPAL]: 'owner' } }],
      },
    })
    const url = `${server.wsUrl}/${ROOM}?token=${encodeURIComponent(token)}&${PERSISTED_QUERY_PARAM}=1`
    const walk = async (): Promise<void> => {
      await session(url, (doc) => doc.getText('main').insert(0, TEXT))
      const read = await session(url, null)
      if (read !== TEXT) throw new Error(`the reader synced ${JSON.stringify(read)}`)
    }
    const walking = walk()
    walking.catch(() => {}) // after a timeout, its rejection has no one to tell
    await Promise.race([walking, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not done within ${timeoutMs} ms`)), timeoutMs)))])
    walked = true
    logger.debug({ ms: Math.round(performance.now() - started) }, 'warmed up the connection path')
  } catch (err) {
    logger.debug({ err: (err as Error).message }, 'warming up the connection path failed; serving regardless')
  } finally {
    clearTimeout(timer)
    await server?.close().catch(() => {})
  }
  return { walked, ms: performance.now() - started }
}

/**
 * One client session as a y-websocket client runs it: sends its sync step 1, answers the
 * server's, applies the server's step 2; then, if `write` is given, writes and waits for the
 * durable acknowledgement of its write (MESSAGE_PERSISTED). Closes the socket at the end and
 * resolves with the text it holds.
 */
function session(url: string, write: ((doc: Y.Doc) => void) | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const doc = new Y.Doc()
    const ws = new WebSocket(url, { perMessageDeflate: false })
    let synced = false
    let failure: Error | null | undefined // undefined: still running; null: done
    const finish = (err: Error | null) => {
      if (failure !== undefined) return
      failure = err
      ws.close()
    }
    // ws emits 'close' last, after any 'error': the socket is gone when the session resolves.
    ws.on('close', (code) => {
      const text = doc.getText('main').toString()
      doc.destroy()
      const err = failure === undefined ? new Error(`closed by the server (${code})`) : failure
      if (err) reject(err)
      else resolve(text)
    })
    ws.on('error', (err) => finish(err))
    ws.on('open', () => ws.send(syncStep1Message(doc)))
    ws.on('message', (data: Buffer) => {
      if (failure !== undefined) return
      try {
        answer(data)
      } catch (err) {
        finish(err as Error)
      }
    })
    const answer = (data: Buffer): void => {
      const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      const type = decoding.readVarUint(decoder)
      if (type === MESSAGE_PERSISTED) return readPersistedReply(decoder).requestId === 1 ? finish(null) : undefined
      if (type !== MESSAGE_SYNC) return
      const { subtype, payload } = readSync(decoder)
      if (subtype === syncProtocol.messageYjsSyncStep1) return ws.send(syncStep2Message(Y.encodeStateAsUpdate(doc, payload)))
      if (subtype !== syncProtocol.messageYjsSyncStep2 || synced) return
      synced = true
      Y.applyUpdate(doc, payload)
      if (!write) return finish(null)
      const before = Y.encodeStateVector(doc)
      write(doc)
      ws.send(updateMessage(Y.encodeStateAsUpdate(doc, before)))
      ws.send(persistedRequest(1))
    }
  })
}
