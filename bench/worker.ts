// A client worker process: holds some of the benchmark's headless clients and runs the
// driver's commands on them. Clients never live in the server's process.

import * as Y from 'yjs'
import { createHash } from 'node:crypto'
import { BenchClient, now } from './BenchClient.ts'
import type { ClientSpec, Command, ConnectResult, Digest, Expected, Reply, WaitResult, WriterResult } from './workerProtocol.ts'

const TOKEN = /(\d+):(\d+):(\d+\.\d+);/g

interface Tracked {
  client: BenchClient
  spec: ClientSpec
  latencies: number[]
  deliveries: number
  firstRemoteAt: number
  /** Re-checked after every remote update while a waitFor is pending. */
  check: (() => void) | null
}

const clients = new Map<string, Tracked>()
let closing = false
/** Every wait is bounded: a lost socket fails the run instead of hanging it. */
const ACK_TIMEOUT_MS = 120_000

function track(spec: ClientSpec): Tracked {
  const t: Tracked = {
    spec,
    latencies: [],
    deliveries: 0,
    firstRemoteAt: 0,
    check: null,
    client: new BenchClient({
      url: spec.url,
      clientId: spec.clientId,
      dialect: spec.dialect,
      applyRemote: spec.applyRemote,
      answerUpdates: spec.answerUpdates,
      onRemoteUpdate: (update, at) => record(t, update, at),
      onRemote: (_c, at) => {
        if (!t.firstRemoteAt) t.firstRemoteAt = at
        t.check?.()
      },
    }),
  }
  t.client.ws.on('close', (code, reason) => {
    if (!closing) process.stderr.write(`[bench worker] client ${spec.id} lost its socket: ${code} ${reason.toString()}\n`)
  })
  return t
}

/**
 * Send timestamps travel inside the inserted text. Strings are stored verbatim (UTF-8) in
 * a Yjs update, so scanning the bytes finds them without decoding the update.
 */
function record(t: Tracked, update: Uint8Array, at: number): void {
  const bytes = Buffer.from(update.buffer, update.byteOffset, update.byteLength).toString('latin1')
  for (const m of bytes.matchAll(TOKEN)) {
    if (Number(m[1]) === t.spec.clientId) continue
    t.latencies.push(at - Number(m[3]))
    t.deliveries++
  }
}

async function connect(specs: ClientSpec[], concurrency: number, timeoutMs: number): Promise<ConnectResult[]> {
  const results: ConnectResult[] = []
  let next = 0
  const one = async (): Promise<void> => {
    while (next < specs.length) {
      const spec = specs[next++]
      const t = track(spec)
      clients.set(spec.id, t)
      try {
        await withTimeout(t.client.synced, timeoutMs, `client ${spec.id} sync`)
        t.firstRemoteAt = 0 // the initial sync is not a delivery
        results.push({ id: spec.id, ok: true, connectMs: t.client.syncedAt - t.client.startedAt, bytes: t.client.bytesAtSync })
      } catch (err) {
        results.push({ id: spec.id, ok: false, error: (err as Error).message, connectMs: NaN, bytes: 0 })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, one))
  return results
}

function get(id: string): Tracked {
  const t = clients.get(id)
  if (!t) throw new Error(`no client ${id} in this worker`)
  return t
}

async function paced(ids: string[], rate: number, durationMs: number, startAt: number): Promise<WriterResult[]> {
  const interval = 1000 / rate
  const count = Math.floor((durationMs / 1000) * rate)
  return Promise.all(
    ids.map(async (id): Promise<WriterResult> => {
      const { client, spec } = get(id)
      let seed = spec.clientId
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
      // Writers are spread over the interval so they do not all fire on the same tick.
      const offset = random() * interval
      for (let i = 0; i < count; i++) {
        const due = startAt + offset + i * interval
        const wait = due - now()
        if (wait > 1) await new Promise((r) => setTimeout(r, wait))
        const text = client.text
        text.insert(Math.floor(random() * (text.length + 1)), `${spec.clientId}:${i}:${now().toFixed(3)};`)
      }
      const sentAt = now()
      await withTimeout(client.ack(), ACK_TIMEOUT_MS, `ack of ${id}`)
      return { id, clientId: spec.clientId, clock: Y.getState(client.doc.store, spec.clientId), sent: count, startedAt: startAt, sentAt, ackedAt: now() }
    }),
  )
}

async function burst(ids: string[], edits: number): Promise<WriterResult[]> {
  const prepared = ids.map((id) => {
    const { client } = get(id)
    const messages = client.prepare(() => {
      for (let i = 0; i < edits; i++) client.text.insert(client.text.length, String.fromCharCode(97 + (i % 26)))
    })
    return { id, client, messages }
  })
  return Promise.all(
    prepared.map(async ({ id, client, messages }): Promise<WriterResult> => {
      const startedAt = now()
      for (const m of messages) client.sendRaw(m)
      const sentAt = now()
      await withTimeout(client.ack(), ACK_TIMEOUT_MS, `ack of ${id}`)
      return { id, clientId: client.doc.clientID, clock: Y.getState(client.doc.store, client.doc.clientID), sent: messages.length, startedAt, sentAt, ackedAt: now() }
    }),
  )
}

async function editOnce(ids: string[]): Promise<WriterResult[]> {
  return Promise.all(
    ids.map(async (id): Promise<WriterResult> => {
      const { client } = get(id)
      const startedAt = now()
      client.text.insert(0, `${client.doc.clientID}:0:${startedAt.toFixed(3)};`)
      await withTimeout(client.ack(), ACK_TIMEOUT_MS, `ack of ${id}`)
      return { id, clientId: client.doc.clientID, clock: Y.getState(client.doc.store, client.doc.clientID), sent: 1, startedAt, sentAt: startedAt, ackedAt: now() }
    }),
  )
}

function reached(doc: Y.Doc, expected: Expected): boolean {
  for (const [client, clock] of Object.entries(expected)) if (Y.getState(doc.store, Number(client)) < clock) return false
  return true
}

async function waitFor(expected: Expected, timeoutMs: number): Promise<WaitResult[]> {
  const readers = [...clients.values()].filter((t) => t.spec.applyRemote)
  return Promise.all(
    readers.map(
      (t) =>
        new Promise<WaitResult>((resolve) => {
          const finish = (ok: boolean, doneAt: number) => {
            t.check = null
            clearTimeout(timer)
            resolve({ id: t.spec.id, ok, doneAt, latencies: t.latencies, deliveries: t.deliveries, firstRemoteAt: t.firstRemoteAt })
            t.latencies = []
            t.deliveries = 0
            t.firstRemoteAt = 0
          }
          const timer = setTimeout(() => finish(false, now()), timeoutMs)
          if (reached(t.client.doc, expected)) return finish(true, t.client.lastRemoteAt || now())
          t.check = () => {
            if (reached(t.client.doc, expected)) finish(true, t.client.lastRemoteAt)
          }
        }),
    ),
  )
}

function digest(): Digest[] {
  return [...clients.values()]
    .filter((t) => t.spec.applyRemote)
    .map(({ spec, client }) => {
      const text = client.text.toString()
      return {
        id: spec.id,
        stateVector: Buffer.from(Y.encodeStateVector(client.doc)).toString('base64'),
        textHash: createHash('sha256').update(text).digest('hex').slice(0, 16),
        length: text.length,
      }
    })
}

async function closeAll(): Promise<void> {
  closing = true
  await Promise.all([...clients.values()].map((t) => withTimeout(t.client.close(), 5000, 'close').catch(() => {})))
  for (const t of clients.values()) t.client.doc.destroy()
  clients.clear()
  closing = false
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  )
}

function run(c: Command): Promise<unknown> | unknown {
  switch (c.cmd) {
    case 'connect':
      return connect(c.clients, c.concurrency, c.timeoutMs)
    case 'paced':
      return paced(c.writers, c.rate, c.durationMs, c.startAt)
    case 'burst':
      return burst(c.writers, c.edits)
    case 'editOnce':
      return editOnce(c.ids)
    case 'waitFor':
      return waitFor(c.expected, c.timeoutMs)
    case 'digest':
      return digest()
    case 'closeAll':
      return closeAll()
  }
}

process.on('message', (msg: { id: number; command: Command }) => {
  Promise.resolve()
    .then(() => run(msg.command))
    .then(
      (result) => process.send!({ id: msg.id, ok: true, result } satisfies Reply),
      (err: unknown) => process.send!({ id: msg.id, ok: false, error: (err as Error).stack ?? String(err) } satisfies Reply),
    )
})
process.on('disconnect', () => process.exit(0))
process.send!({ ready: true })
