// DocumentStorage on the server's SQLite database (see server/db.ts for the durability
// settings). One row per update keeps its attribution forever; compaction only NULLs the
// data of folded rows and keeps one snapshot per room.

import type { Database, Statement } from 'better-sqlite3'
import { migrate } from '../db.ts'
import type { AttributionEntry, DocumentStorage, RoomState, StoredUpdate, WriteCount, WriteRecord } from './DocumentStorage.ts'
import { checkBatch, checkCompaction, checkHistoryOptions, checkPlan, checkRoom, checkTimeRange, type NewUpdate } from './validate.ts'
import { SqliteGroupCommit } from '../sqliteGroupCommit.ts'
import { ACTIVITY_GRANULES, type ActivityPlan } from '../../shared/coord/activityPlan.ts'
import { SECOND_MS, foldActivitySql, granuleBounds, inPlan, newestSpan, rawCounts, spanOf, type GranuleSpan, type SpanReader } from './writeActivity.ts'

const SCHEMA = `
CREATE TABLE doc_updates (
  room TEXT NOT NULL,
  seq INTEGER NOT NULL,
  principal TEXT NOT NULL,
  clients TEXT NOT NULL,            -- JSON array of Yjs client ids
  at INTEGER NOT NULL,              -- server receive time, ms since epoch
  bytes INTEGER NOT NULL,
  data BLOB,                        -- NULL once folded into the room's snapshot
  PRIMARY KEY (room, seq)
);
CREATE TABLE doc_snapshots (
  room TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL
);
`

// Write counts with their seq spans (server/storage/writeActivity.ts), filled from the rows already
// folded into a snapshot (the counts hold exactly those: compact() adds what it folds).
const ACTIVITY_SCHEMA = `
CREATE TABLE doc_activity (
  room TEXT NOT NULL,
  granule_ms INTEGER NOT NULL,
  start INTEGER NOT NULL,
  principal TEXT NOT NULL,
  updates INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  PRIMARY KEY (room, granule_ms, start, principal)
) WITHOUT ROWID;
INSERT INTO doc_activity (room, granule_ms, start, principal, updates, bytes, first_seq, last_seq)
  SELECT u.room, g.ms, CAST(u.at / g.ms AS INTEGER) * g.ms, u.principal, COUNT(*), SUM(u.bytes), MIN(u.seq), MAX(u.seq)
  FROM doc_updates u JOIN doc_snapshots s ON s.room = u.room AND u.seq <= s.seq,
    (${ACTIVITY_GRANULES.map((ms) => `SELECT ${ms} AS ms`).join(' UNION ALL ')}) g
  GROUP BY 1, 2, 3, 4;
`

type UpdateRow = [seq: number, principal: string, clients: string, at: number, data: Buffer, message: string | null]

type HistoryRow = [seq: number, principal: string, clients: string, at: number, bytes: number]

export class SqliteStorage implements DocumentStorage {
  #db: Database
  #commit: SqliteGroupCommit
  #closed = false
  #lastSeq: Statement<[string], { seq: number | null }>
  #insert: Statement<[string, number, string, string, number, number, Uint8Array, string | null]>
  #snapshot: Statement<[string], { seq: number; data: Buffer }>
  #snapshotSeq: Statement<[string], { seq: number }>
  #updatesAfter: Statement<[string, number]>
  #history: Statement<[string, number, number]>
  #upsertSnapshot: Statement<[string, number, Uint8Array]>
  #foldData: Statement<[string, number, number]>
  #rooms: Statement<[], { room: string }>
  #readState: (room: string) => RoomState
  #foldActivity: Statement<[{ 1: string; 2: number; 3: number }]>
  #tail: Statement<[string, number], { seq: number; principal: string; at: number; bytes: number }>
  #counts: Statement<[number, number, number, number, string, number, number, number], WriteCount>
  #spans: Statement<[string, number, number, number], GranuleSpan>
  #rawCounts: Statement<[string, number, number, number, number], { principal: string; at: number; bytes: number }>
  #entries: Statement<[string, number, number, number, number], WriteRecord>
  #piece: Statement<[string, number, number, number, number], { updates: number; firstSeq: number | null; lastSeq: number | null }>

  /** Uses `db` without owning it: close() leaves the database open for its other users. */
  constructor(db: Database) {
    this.#db = db
    this.#commit = SqliteGroupCommit.of(db)
    migrate(db, 'storage/1-init', SCHEMA)
    migrate(db, 'storage/2-message', `ALTER TABLE doc_updates ADD COLUMN message TEXT;`)
    migrate(db, 'storage/3-activity', ACTIVITY_SCHEMA)
    this.#lastSeq = db.prepare('SELECT MAX(seq) AS seq FROM doc_updates WHERE room = ?')
    this.#insert = db.prepare('INSERT INTO doc_updates (room, seq, principal, clients, at, bytes, data, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    this.#snapshot = db.prepare('SELECT seq, data FROM doc_snapshots WHERE room = ?')
    // Without the snapshot itself: compaction checks the seq and must not read a 1 MB blob for it.
    this.#snapshotSeq = db.prepare('SELECT seq FROM doc_snapshots WHERE room = ?')
    // raw(): arrays instead of objects, measurably faster for rooms with 10^5 rows.
    this.#updatesAfter = db.prepare('SELECT seq, principal, clients, at, data, message FROM doc_updates WHERE room = ? AND seq > ? ORDER BY seq').raw(true)
    this.#history = db.prepare('SELECT seq, principal, clients, at, bytes FROM doc_updates WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?').raw(true)
    this.#upsertSnapshot = db.prepare('INSERT INTO doc_snapshots (room, seq, data) VALUES (?, ?, ?) ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, data = excluded.data')
    // Only the rows after the previous snapshot (those up to it were folded by the compaction that
    // made it): a range from seq 1 would visit the room's whole history at every compaction.
    this.#foldData = db.prepare('UPDATE doc_updates SET data = NULL WHERE room = ? AND seq > ? AND seq <= ? AND data IS NOT NULL')
    // Jumps from room to room along the primary key (one seek each) instead of visiting every row:
    // GROUP BY room read the whole log, a million rows for a busy workspace.
    this.#rooms = db.prepare(
      `WITH RECURSIVE r(room) AS (SELECT MIN(room) FROM doc_updates UNION ALL SELECT (SELECT MIN(room) FROM doc_updates WHERE room > r.room) FROM r WHERE r.room IS NOT NULL)
       SELECT room FROM r WHERE room IS NOT NULL UNION SELECT room FROM doc_snapshots`,
    )
    this.#foldActivity = db.prepare(foldActivitySql('sqlite'))
    // The updates after the snapshot, not counted yet (the compaction policy bounds them).
    this.#tail = db.prepare('SELECT seq, principal, at, bytes FROM doc_updates WHERE room = ? AND seq > ?')
    // Summed per bucket (each granule lies in one), timed at the bucket's start.
    this.#counts = db.prepare(
      `SELECT principal, ? + (start - ?) / ? * ? AS at, SUM(updates) AS updates, SUM(bytes) AS bytes FROM doc_activity
       WHERE room = ? AND granule_ms = ? AND start >= ? AND start < ? GROUP BY 1, 2`,
    )
    // Every principal's writes per granule, with the seq span that holds them.
    this.#spans = db.prepare(
      `SELECT start, SUM(updates) AS updates, MIN(first_seq) AS firstSeq, MAX(last_seq) AS lastSeq FROM doc_activity
       WHERE room = ? AND granule_ms = ? AND start >= ? AND start < ? GROUP BY start`,
    )
    // By the primary key (room, seq): entries of a seq span whose time is in the range.
    this.#rawCounts = db.prepare('SELECT principal, at, bytes FROM doc_updates WHERE room = ? AND seq >= ? AND seq <= ? AND at >= ? AND at < ?')
    this.#piece = db.prepare(
      'SELECT COUNT(*) AS updates, MIN(seq) AS firstSeq, MAX(seq) AS lastSeq FROM doc_updates WHERE room = ? AND seq >= ? AND seq <= ? AND at >= ? AND at < ?',
    )
    this.#entries = db.prepare('SELECT seq, principal, at, bytes FROM doc_updates WHERE room = ? AND seq >= ? AND seq <= ? AND at >= ? AND at < ? ORDER BY seq')
    // One read transaction so the snapshot and the updates after it are consistent (made once:
    // db.transaction() builds five wrappers per call, measurable at 1,000 room loads).
    this.#readState = db.transaction((room: string): RoomState => {
      const snap = this.#snapshot.get(room)
      const snapshotSeq = snap?.seq ?? 0
      const rows = this.#updatesAfter.all(room, snapshotSeq) as UpdateRow[]
      const updates = rows.map(([seq, principal, clients, at, data, message]): StoredUpdate => ({
        seq,
        principal,
        clients: JSON.parse(clients),
        at,
        data: view(data),
        ...(message === 'sync' || message === 'server' ? { message } : {}),
      }))
      return { snapshot: snap ? view(snap.data) : null, snapshotSeq, updates }
    })
  }

  async load(room: string): Promise<RoomState> {
    this.#check(room)
    return this.#readState(room)
  }

  /**
   * Group commit across rooms: appends requested in the same event-loop turn are written in
   * one IMMEDIATE transaction (one fsync), each in its own savepoint so a failing request
   * rejects only its caller; the database's claims and owners of that turn join it
   * (server/sqliteGroupCommit.ts). Resolves after COMMIT, i.e. once durable (synchronous=FULL).
   */
  append(room: string, updates: NewUpdate[]): Promise<number[]> {
    try {
      this.#check(room)
      checkBatch(updates)
    } catch (err) {
      return Promise.reject(err)
    }
    if (updates.length === 0) return Promise.resolve([])
    return this.#commit.run(() => this.#insertAll(room, updates))
  }

  /** Durable transactions written so far on this database (one per turn with writes). */
  stats(): { transactions: number } {
    return { transactions: this.#commit.transactions }
  }

  #insertAll(room: string, updates: NewUpdate[]): number[] {
    // Inside the IMMEDIATE transaction: the write lock is held before MAX(seq) is read, so two
    // connections cannot hand out the same seq.
    let seq = this.#lastSeq.get(room)?.seq ?? 0
    return updates.map((u) => {
      seq += 1
      this.#insert.run(room, seq, u.principal, JSON.stringify(u.clients), u.at, u.data.byteLength, u.data, u.message === 'sync' || u.message === 'server' ? u.message : null)
      return seq
    })
  }

  async compact(room: string, snapshot: Uint8Array, uptoSeq: number): Promise<void> {
    this.#check(room)
    this.#db
      .transaction(() => {
        checkCompaction(snapshot, uptoSeq, this.#lastSeq.get(room)?.seq ?? 0)
        // A stale compaction (older than the current snapshot) would lose folded data: ignore it.
        const previous = this.#snapshotSeq.get(room)?.seq ?? 0
        if (uptoSeq < previous) return
        this.#upsertSnapshot.run(room, uptoSeq, snapshot)
        this.#foldData.run(room, previous, uptoSeq)
        this.#foldActivity.run({ 1: room, 2: previous, 3: uptoSeq })
        this.#folds++
      })
      .immediate()
  }

  async history(room: string, { afterSeq = 0, limit }: { afterSeq?: number; limit?: number } = {}): Promise<AttributionEntry[]> {
    this.#check(room)
    checkHistoryOptions(afterSeq, limit)
    const rows = this.#history.all(room, afterSeq, limit ?? -1) as HistoryRow[]
    return rows.map(([seq, principal, clients, at, bytes]) => ({ seq, principal, clients: JSON.parse(clients), at, bytes }))
  }

  async writeCounts(room: string, plan: ActivityPlan): Promise<WriteCount[]> {
    this.#check(room)
    checkPlan(plan)
    const bucket = [plan.since, plan.since, plan.bucketMs, plan.bucketMs] as const
    const counts: WriteCount[] = []
    for (const { granuleMs, ranges } of plan.granules) {
      for (const [from, to] of ranges) counts.push(...this.#counts.all(...bucket, room, granuleMs, from, to))
    }
    for (const [from, to] of plan.raw) {
      const { firstSeq, lastSeq } = spanOf(this.#spans.all(room, SECOND_MS, ...granuleBounds(SECOND_MS, from, to)))
      counts.push(...rawCounts(this.#rawCounts.all(room, firstSeq, lastSeq, from, to)))
    }
    counts.push(...rawCounts(this.#uncounted(room).filter((e) => inPlan(plan, e.at))))
    return counts
  }

  /** The updates the counts do not hold yet: those after the snapshot. */
  #uncounted(room: string): Array<{ seq: number; principal: string; at: number; bytes: number }> {
    return this.#tail.all(room, this.#snapshotSeq.get(room)?.seq ?? 0)
  }

  async newestWrites(room: string, since: number, until: number, limit: number): Promise<{ from: number; entries: WriteRecord[] }> {
    this.#check(room)
    checkTimeRange(since, until, limit)
    const reader: SpanReader = {
      spans: async (granuleMs, from, to) => this.#spans.all(room, granuleMs, from, to),
      piece: async (from, to) => {
        const { firstSeq, lastSeq } = spanOf(this.#spans.all(room, SECOND_MS, ...granuleBounds(SECOND_MS, from, to)))
        const p = this.#piece.get(room, firstSeq, lastSeq, from, to)!
        return { start: from, updates: p.updates, firstSeq: p.firstSeq ?? 1, lastSeq: p.lastSeq ?? 0 }
      },
    }
    // The walk awaits between reads: a compaction in between moves updates from the tail into the
    // counts, so the walk starts again (compactions run in this process only; three tries).
    for (let attempt = 1; ; attempt++) {
      const folds = this.#folds
      const tail = this.#uncounted(room).filter((e) => e.at >= since && e.at < until)
      const { from, firstSeq, lastSeq } = await newestSpan(reader, since, until, limit, tail)
      if (folds !== this.#folds && attempt < 3) continue
      if (folds !== this.#folds) throw new Error(`the newest writes of ${room} kept moving under compactions; retry`)
      return { from, entries: this.#entries.all(room, firstSeq, lastSeq, from, until) }
    }
  }

  /** Compactions that moved updates into the counts (newestWrites notices one during its walk). */
  #folds = 0

  async rooms(): Promise<string[]> {
    this.#check()
    return this.#rooms.all().map((r) => r.room)
  }

  /** Commits appends still waiting for their turn, then refuses further use. */
  async close(): Promise<void> {
    this.#commit.flush()
    this.#closed = true
  }

  #check(room?: string): void {
    if (this.#closed) throw new Error('storage is closed')
    if (room !== undefined) checkRoom(room)
  }
}

/** A plain Uint8Array over the Buffer better-sqlite3 returns (no copy), so all backends return the same type. */
function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}
