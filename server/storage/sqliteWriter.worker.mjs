// The write side of SqliteWorkerStorage, on a worker thread with its own connection, so the
// commit's fsync never blocks the server's event loop. Plain ESM JavaScript on purpose: it
// loads in node, tsx and vitest workers alike without a TypeScript loader.
//
// Group commit: every request that arrives within one macrotask (including all that queued
// up while the previous commit was fsyncing) runs in ONE IMMEDIATE transaction, in arrival
// order, each in its own savepoint: a failing request rolls back alone and only its caller
// is rejected. Results are posted only after COMMIT returned, i.e. after the fsync.
//
// Protocol (main -> worker): { type: 'requests', requests: Request[] } | { type: 'close' }
//   Request = { id, kind: 'append', room, updates: [{ principal, clients, at, data, message }] }
//           | { id, kind: 'compact', room, snapshot, uptoSeq }
// (worker -> main): { type: 'results', results: Result[], transactions } | { type: 'closed' }
//   Result = { id, seqs?: number[], error?: { name, message } }
// The schema must exist before the worker starts (the main side runs the migrations).

import { parentPort, workerData } from 'node:worker_threads'
import BetterSqlite3 from 'better-sqlite3'

/** @typedef {{ principal: string, clients: number[], at: number, data: Uint8Array, message?: string }} NewUpdate */
/** @typedef {{ id: number, kind: 'append', room: string, updates: NewUpdate[] }} AppendRequest */
/** @typedef {{ id: number, kind: 'compact', room: string, snapshot: Uint8Array, uptoSeq: number }} CompactRequest */
/** @typedef {{ id: number, seqs?: number[], error?: { name: string, message: string } }} Result */

const port = parentPort
if (!port) throw new Error('sqliteWriter.worker.mjs must run as a worker thread')

/** @type {{ file: string, busyTimeoutMs: number }} */
const { file, busyTimeoutMs } = workerData
const db = new BetterSqlite3(file)
// The same durability settings as server/db.ts openDatabase(): a COMMIT returns after fsync.
db.pragma('journal_mode = WAL')
db.pragma('synchronous = FULL')
db.pragma(`busy_timeout = ${busyTimeoutMs}`)

const lastSeqStmt = db.prepare('SELECT MAX(seq) AS seq FROM doc_updates WHERE room = ?')
const insertStmt = db.prepare(
  'INSERT INTO doc_updates (room, seq, principal, clients, at, bytes, data, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
)
const snapshotSeqStmt = db.prepare('SELECT seq FROM doc_snapshots WHERE room = ?')
const upsertSnapshotStmt = db.prepare(
  'INSERT INTO doc_snapshots (room, seq, data) VALUES (?, ?, ?) ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, data = excluded.data',
)
const foldDataStmt = db.prepare('UPDATE doc_updates SET data = NULL WHERE room = ? AND seq <= ? AND data IS NOT NULL')

/**
 * Last committed seq per room, read once from MAX(seq). This connection is the only writer of
 * doc_updates; if that assumption breaks, the (room, seq) primary key rejects the insert and
 * the room's entry is dropped, so it is re-read.
 * @type {Map<string, number>}
 */
const committed = new Map()

/** @param {string} room @param {Map<string, number>} staged */
function lastSeq(room, staged) {
  const s = staged.get(room) ?? committed.get(room)
  if (s !== undefined) return s
  return lastSeqStmt.get(room)?.seq ?? 0
}

/** @param {AppendRequest} req @param {Map<string, number>} staged */
function append({ room, updates }, staged) {
  let seq = lastSeq(room, staged)
  const seqs = updates.map((u) => {
    seq += 1
    insertStmt.run(room, seq, u.principal, JSON.stringify(u.clients), u.at, u.data.byteLength, u.data, u.message === 'sync' ? 'sync' : null)
    return seq
  })
  if (seqs.length > 0) staged.set(room, seq)
  return seqs
}

/** @param {CompactRequest} req @param {Map<string, number>} staged */
function compact({ room, snapshot, uptoSeq }, staged) {
  // The same checks as validate.ts checkCompaction, which needs the last seq known only here.
  if (!(snapshot instanceof Uint8Array)) throw new TypeError('snapshot must be a Uint8Array')
  if (!Number.isSafeInteger(uptoSeq) || uptoSeq < 1) throw new RangeError('uptoSeq must be a positive integer')
  const last = lastSeq(room, staged)
  if (uptoSeq > last) throw new RangeError(`uptoSeq ${uptoSeq} is beyond the last stored seq ${last}`)
  // A stale compaction (older than the current snapshot) would lose folded data: ignore it.
  if (uptoSeq < (snapshotSeqStmt.get(room)?.seq ?? 0)) return
  upsertSnapshotStmt.run(room, uptoSeq, snapshot)
  foldDataStmt.run(room, uptoSeq)
}

/** Nested inside the outer transaction, better-sqlite3 runs this in a SAVEPOINT. */
const runOne = db.transaction(
  /** @param {AppendRequest | CompactRequest} req @param {Map<string, number>} staged */
  (req, staged) => (req.kind === 'append' ? append(req, staged) : (compact(req, staged), undefined)),
)

const runAll = db.transaction(
  /** @param {(AppendRequest | CompactRequest)[]} reqs @param {Map<string, number>} staged @returns {Result[]} */
  (reqs, staged) =>
    reqs.map((req) => {
      try {
        const seqs = runOne(req, staged)
        return seqs ? { id: req.id, seqs } : { id: req.id }
      } catch (err) {
        // Some errors (I/O, disk full) roll back the whole transaction: fail the whole batch.
        if (!db.inTransaction) throw err
        // Its savepoint is rolled back; what it staged is unknown now: re-read the room.
        staged.delete(req.room)
        committed.delete(req.room)
        return { id: req.id, error: toError(err) }
      }
    }),
)

/** @type {(AppendRequest | CompactRequest)[]} */
let queue = []
let scheduled = false
let transactions = 0

function flush() {
  scheduled = false
  const reqs = queue
  queue = []
  if (reqs.length === 0) return
  /** @type {Map<string, number>} */
  const staged = new Map()
  /** @type {Result[]} */
  let results
  try {
    results = runAll.immediate(reqs, staged)
    transactions++
    for (const [room, seq] of staged) committed.set(room, seq)
  } catch (err) {
    // BEGIN or COMMIT failed (busy, I/O error): nothing of this batch is known durable.
    committed.clear()
    const error = toError(err)
    results = reqs.map((r) => ({ id: r.id, error }))
  }
  port.postMessage({ type: 'results', results, transactions })
}

/** @param {unknown} err */
function toError(err) {
  const e = err instanceof Error ? err : new Error(String(err))
  return { name: e.name, message: e.message, ...(/** @type {{ code?: unknown }} */ (e).code ? { code: String(/** @type {{ code?: unknown }} */ (e).code) } : {}) }
}

port.on('message', (msg) => {
  if (msg.type === 'requests') {
    for (const r of msg.requests) queue.push(r)
    // setImmediate: requests posted while the last commit was fsyncing are already queued in
    // the port and all join this one transaction.
    if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  } else if (msg.type === 'close') {
    flush()
    db.close()
    port.postMessage({ type: 'closed' })
    port.close()
  }
})
