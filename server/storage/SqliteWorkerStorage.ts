// DocumentStorage that commits on a worker thread (sqliteWriter.worker.mjs) with its own
// connection to the same SQLite file: the fsync of a commit no longer blocks the event loop,
// and every append/compact of one event-loop turn, across all rooms, shares one transaction
// (one fsync). Reads stay on the caller's connection: WAL readers see every committed write,
// and append resolves only after its commit, so a load() never misses a resolved append.

import { Worker } from 'node:worker_threads'
import type { Database } from 'better-sqlite3'
import type { AttributionEntry, DocumentStorage, RoomState } from './DocumentStorage.ts'
import { SqliteStorage } from './SqliteStorage.ts'
import { checkBatch, checkRoom, type NewUpdate } from './validate.ts'

export interface SqliteWorkerStorageOptions {
  /** How long the writer waits for a lock held by another connection, ms. */
  busyTimeoutMs?: number
  /** The writer thread's module; tests wrap the default one to inject faults. */
  writer?: URL
}

export interface SqliteWorkerStats {
  /** Committed write transactions (each one fsync). */
  transactions: number
  /** Append and compact requests sent to the writer. */
  requests: number
  /** Requests sent and not yet answered. */
  inFlight: number
}

type Request =
  | { id: number; kind: 'append'; room: string; updates: NewUpdate[] }
  | { id: number; kind: 'compact'; room: string; snapshot: Uint8Array; uptoSeq: number }
type WireError = { name: string; message: string; code?: string }
type Result = { id: number; seqs?: number[]; error?: WireError }
type FromWorker = { type: 'results'; results: Result[]; transactions: number } | { type: 'closed' }

interface Pending {
  resolve: (seqs: number[]) => void
  reject: (err: Error) => void
}

export const WRITER_URL = new URL('./sqliteWriter.worker.mjs', import.meta.url)

export class SqliteWorkerStorage implements DocumentStorage {
  #reader: SqliteStorage
  #worker: Worker
  #pending = new Map<number, Pending>()
  #outbox: Request[] = []
  #nextId = 1
  #requests = 0
  #transactions = 0
  #closed = false
  /** Set once the worker died: every later write fails with it. */
  #failure: Error | null = null
  #exited: Promise<void>
  #drained: (() => void) | null = null

  /**
   * Uses `db` (a file database) for reads and migrations without owning it; opens a second
   * connection to the same file on a worker thread for writes. The migrations run here first,
   * so the schema exists before the worker prepares its statements.
   */
  constructor(db: Database, { busyTimeoutMs = 5000, writer = WRITER_URL }: SqliteWorkerStorageOptions = {}) {
    if (db.memory) throw new Error('SqliteWorkerStorage needs a file database (the writer opens its own connection)')
    this.#reader = new SqliteStorage(db)
    this.#worker = new Worker(writer, {
      workerData: { file: db.name, busyTimeoutMs: Math.max(0, Math.floor(busyTimeoutMs)) },
      // Plain JavaScript: no TypeScript loader (tsx, vitest) needed in the worker.
      execArgv: [],
    })
    // Only in-flight writes keep the process alive, not an idle writer.
    this.#worker.unref()
    this.#worker.on('message', (msg: FromWorker) => this.#onMessage(msg))
    this.#worker.on('error', (err) => this.#fail(new Error(`SQLite writer thread crashed: ${err.message}`, { cause: err })))
    this.#exited = new Promise((resolve) =>
      this.#worker.once('exit', (code) => {
        this.#fail(new Error(`SQLite writer thread exited (code ${code})`))
        resolve()
      }),
    )
  }

  load(room: string): Promise<RoomState> {
    return this.#reader.load(room)
  }

  history(room: string, options?: { afterSeq?: number; limit?: number }): Promise<AttributionEntry[]> {
    return this.#reader.history(room, options)
  }

  rooms(): Promise<string[]> {
    return this.#reader.rooms()
  }

  async append(room: string, updates: NewUpdate[]): Promise<number[]> {
    this.#check(room)
    checkBatch(updates) // a bad batch is rejected whole, before it reaches the writer
    if (updates.length === 0) return []
    // Only the fields the row needs; the structured clone on send is the copy the contract asks for.
    const rows = updates.map(({ principal, clients, at, data, message }) => ({ principal, clients, at, data: tight(data), message }))
    return this.#send({ id: 0, kind: 'append', room, updates: rows })
  }

  async compact(room: string, snapshot: Uint8Array, uptoSeq: number): Promise<void> {
    this.#check(room)
    await this.#send({ id: 0, kind: 'compact', room, snapshot: snapshot instanceof Uint8Array ? tight(snapshot) : snapshot, uptoSeq })
  }

  stats(): SqliteWorkerStats {
    return { transactions: this.#transactions, requests: this.#requests, inFlight: this.#pending.size }
  }

  /** Waits for every write already asked for, then stops the writer thread. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#pending.size > 0 && !this.#failure) await new Promise<void>((resolve) => (this.#drained = resolve))
    if (!this.#failure) {
      this.#worker.ref()
      this.#worker.postMessage({ type: 'close' })
    }
    await this.#exited
    await this.#reader.close()
  }

  #send(req: Request): Promise<number[]> {
    if (this.#failure) return Promise.reject(this.#failure)
    req.id = this.#nextId++
    this.#requests++
    const done = new Promise<number[]>((resolve, reject) => this.#pending.set(req.id, { resolve, reject }))
    if (this.#pending.size === 1) this.#worker.ref()
    // Everything asked for in this event-loop turn (every room's setImmediate flush) goes to
    // the writer as one message, so it becomes one transaction.
    if (this.#outbox.push(req) === 1) setImmediate(() => this.#post())
    return done
  }

  #post(): void {
    const requests = this.#outbox
    this.#outbox = []
    if (requests.length === 0 || this.#failure) return
    this.#worker.postMessage({ type: 'requests', requests })
  }

  #onMessage(msg: FromWorker): void {
    if (msg.type !== 'results') return
    this.#transactions = msg.transactions
    for (const r of msg.results) {
      const p = this.#pending.get(r.id)
      if (!p) continue
      this.#pending.delete(r.id)
      if (r.error) p.reject(toError(r.error))
      else p.resolve(r.seqs ?? [])
    }
    this.#settled()
  }

  #fail(err: Error): void {
    // A request whose commit finished but whose answer was lost is rejected too: its writers
    // resend, and Yjs ignores what it already has.
    if (!this.#failure) this.#failure = this.#closed ? new Error('storage is closed') : err
    for (const p of this.#pending.values()) p.reject(this.#failure)
    this.#pending.clear()
    this.#outbox = []
    this.#settled()
  }

  #settled(): void {
    if (this.#pending.size > 0) return
    this.#worker.unref()
    this.#drained?.()
    this.#drained = null
  }

  #check(room: string): void {
    if (this.#closed) throw new Error('storage is closed')
    checkRoom(room)
  }
}

/**
 * A structured clone copies a view's whole ArrayBuffer: an update read out of a larger
 * socket frame or Buffer pool would drag all of it along. Send just its bytes.
 */
function tight(data: Uint8Array): Uint8Array {
  // new Uint8Array(view), not slice(): Buffer#slice does not copy.
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : new Uint8Array(data)
}

function toError({ name, message, code }: WireError): Error {
  const err = name === 'TypeError' ? new TypeError(message) : name === 'RangeError' ? new RangeError(message) : new Error(message)
  if (name !== err.name) err.name = name
  if (code) (err as Error & { code?: string }).code = code
  return err
}
