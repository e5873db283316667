// DocumentStorage on PostgreSQL (`--database`), for several instances on one database.
//
// Same contract as SqliteStorage (one row per update, attribution kept after compaction, group
// commit across rooms), plus room ownership (server/storage/ownership.ts):
// - `doc_rooms` holds, per room, the last seq handed out, the owning instance and an epoch that
//   only grows. Loading a room takes it (epoch + 1) if it is free, already this instance's, or
//   owned by an instance whose lease (server/cluster/InstanceLease.ts) has run out by the
//   database clock; otherwise load throws OwnedElsewhere.
// - Every append allocates its seqs in the statement that checks the epoch: if another instance
//   took the room since, the statement matches no row, nothing is written and the append rejects
//   with Fenced. So a paused ex-owner can never write after its successor took over.
// - Appending to (or compacting) a room this instance has not loaded takes it first, as load does.

import { migratePg, type PgClient, type PgDatabase, type PgQueryable } from '../pg/PgDatabase.ts'
import type { AttributionEntry, DocumentStorage, RoomState, StoredUpdate, WriteCount, WriteRecord } from './DocumentStorage.ts'
import { Fenced, OwnedElsewhere } from './ownership.ts'
import { checkBatch, checkCompaction, checkHistoryOptions, checkPlan, checkRoom, checkTimeRange, type NewUpdate } from './validate.ts'
import { failBatch, settleBatch, type AppendOutcome, type PendingAppend } from './groupCommit.ts'
import { ACTIVITY_GRANULES, type ActivityPlan } from '../../shared/coord/activityPlan.ts'
import { SECOND_MS, foldActivitySql, granuleBounds, inPlan, newestSpan, rawCounts, spanOf, type GranuleSpan, type SpanReader } from './writeActivity.ts'

// `instances` (the owners' leases) is created by server/cluster/InstanceLease.ts, started first.
const SCHEMA = `
CREATE TABLE doc_rooms (
  room TEXT PRIMARY KEY,
  last_seq BIGINT NOT NULL DEFAULT 0,   -- highest seq handed out
  owner TEXT,                           -- instances.id serving the room; NULL once released
  epoch BIGINT NOT NULL DEFAULT 0       -- grows on every take; appends must carry the current one
);
CREATE TABLE doc_updates (
  room TEXT NOT NULL,
  seq BIGINT NOT NULL,
  principal TEXT NOT NULL,
  clients JSONB NOT NULL,               -- Yjs client ids (uint32, beyond int4)
  at BIGINT NOT NULL,                   -- server receive time, ms since epoch
  bytes INTEGER NOT NULL,
  data BYTEA,                           -- NULL once folded into the room's snapshot
  message TEXT,
  PRIMARY KEY (room, seq)
);
CREATE TABLE doc_snapshots (
  room TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  data BYTEA NOT NULL
);
`

// Write counts with their seq spans (server/storage/writeActivity.ts), filled from the rows already
// folded into a snapshot (the counts hold exactly those: compact() adds what it folds).
const ACTIVITY_SCHEMA = `
CREATE TABLE doc_activity (
  room TEXT NOT NULL,
  granule_ms BIGINT NOT NULL,
  start BIGINT NOT NULL,
  principal TEXT NOT NULL,
  updates BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (room, granule_ms, start, principal)
);
INSERT INTO doc_activity (room, granule_ms, start, principal, updates, bytes, first_seq, last_seq)
  SELECT u.room, g.ms, (u.at / g.ms) * g.ms, u.principal, COUNT(*), SUM(u.bytes), MIN(u.seq), MAX(u.seq)
  FROM doc_updates u JOIN doc_snapshots s ON s.room = u.room AND u.seq <= s.seq,
    (VALUES ${ACTIVITY_GRANULES.map((ms) => `(${ms}::bigint)`).join(', ')}) AS g(ms)
  GROUP BY 1, 2, 3, 4;
`

// Takes the room unless a live instance other than this one owns it. Every take bumps the epoch,
// so whatever this or any instance loaded before can no longer write.
const TAKE = `
INSERT INTO doc_rooms AS r (room, owner, epoch) VALUES ($1, $2, 1)
ON CONFLICT (room) DO UPDATE SET owner = EXCLUDED.owner, epoch = r.epoch + 1
  WHERE r.owner IS NULL OR r.owner = EXCLUDED.owner
     OR NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = r.owner AND i.alive_until > now())
RETURNING epoch`

const OWNER = `
SELECT r.owner, COALESCE(i.url, '') AS url, i.alive_until > now() AS live
FROM doc_rooms r LEFT JOIN instances i ON i.id = r.owner WHERE r.room = $1`

// Allocates the seqs and inserts the rows in one statement: no row of doc_rooms matches a stale
// epoch, so nothing is inserted (rowCount 0 = Fenced).
const APPEND = `
WITH alloc AS (
  UPDATE doc_rooms SET last_seq = last_seq + $4 WHERE room = $1 AND owner = $2 AND epoch = $3 RETURNING last_seq
)
INSERT INTO doc_updates (room, seq, principal, clients, at, bytes, data, message)
SELECT $1, alloc.last_seq - $4 + u.n, u.principal, u.clients, u.at, u.bytes, u.data, u.message
FROM alloc, unnest($5::text[], $6::jsonb[], $7::int8[], $8::int4[], $9::bytea[], $10::text[])
  WITH ORDINALITY AS u(principal, clients, at, bytes, data, message, n)
RETURNING seq`

const FOLD_ACTIVITY = foldActivitySql('postgres')

/** How many times load retries when the owner it found released the room meanwhile. */
const TAKE_ATTEMPTS = 3

interface UpdateRow {
  seq: number
  principal: string
  clients: number[]
  at: number
  data: Buffer
  message: string | null
}

export interface PostgresStorageOptions {
  db: PgDatabase
  /** This instance's id (instances.id): the owner written on the rooms it takes. */
  instanceId: string
}

export class PostgresStorage implements DocumentStorage {
  readonly #db: PgDatabase
  readonly #instanceId: string
  /** Rooms this instance took, with the epoch it took them at; 'lost' once fenced or the lease lapsed. */
  readonly #epochs = new Map<string, number | 'lost'>()
  readonly #taking = new Map<string, Promise<void>>()
  #closed = false
  #pending: PendingAppend[] = []
  #flushing: Promise<void> | null = null
  #commits = 0

  private constructor({ db, instanceId }: PostgresStorageOptions) {
    this.#db = db
    this.#instanceId = instanceId
  }

  /** Creates the tables if needed. The `instances` table must exist (start InstanceLease first). */
  static async open(opts: PostgresStorageOptions): Promise<PostgresStorage> {
    await migratePg(opts.db, 'pg/storage/1-init', SCHEMA)
    await migratePg(opts.db, 'pg/storage/2-activity', ACTIVITY_SCHEMA)
    return new PostgresStorage(opts)
  }

  async load(room: string): Promise<RoomState> {
    this.#check(room)
    await this.#take(room)
    // One snapshot for both reads: a compaction between them would otherwise NULL rows we read.
    return this.#db.transaction(
      async (client): Promise<RoomState> => {
        const snap = await client.query<{ seq: number; data: Buffer }>('SELECT seq, data FROM doc_snapshots WHERE room = $1', [room])
        const snapshotSeq = snap.rows[0]?.seq ?? 0
        const rows = await client.query<UpdateRow>('SELECT seq, principal, clients, at, data, message FROM doc_updates WHERE room = $1 AND seq > $2 ORDER BY seq', [
          room,
          snapshotSeq,
        ])
        const updates = rows.rows.map((r): StoredUpdate => ({
          seq: r.seq,
          principal: r.principal,
          clients: r.clients,
          at: r.at,
          data: view(r.data),
          ...(r.message === 'sync' || r.message === 'server' ? { message: r.message } : {}),
        }))
        return { snapshot: snap.rows[0] ? view(snap.rows[0].data) : null, snapshotSeq, updates }
      },
      { isolation: 'repeatable read' },
    )
  }

  /**
   * Group commit across rooms: appends requested while no commit is running (or while one runs)
   * go in the next transaction together, one statement each. Resolves after COMMIT. A request
   * whose epoch is stale rejects with Fenced alone; one that fails in the database rejects alone too
   * (the batch is retried with a savepoint per request).
   */
  append(room: string, updates: NewUpdate[]): Promise<number[]> {
    try {
      this.#check(room)
      checkBatch(updates)
    } catch (err) {
      return Promise.reject(err)
    }
    if (updates.length === 0) return Promise.resolve([])
    if (this.#epochs.get(room) === 'lost') return Promise.reject(new Fenced(room))
    // Copies: the caller may reuse its buffers as soon as this returns.
    const copy = updates.map((u) => ({ ...u, clients: [...u.clients], data: u.data.slice() }))
    const taken = this.#epochs.has(room) ? Promise.resolve() : this.#take(room)
    return taken.then(
      () =>
        new Promise<number[]>((resolve, reject) => {
          this.#pending.push({ room, updates: copy, resolve, reject })
          this.#schedule()
        }),
    )
  }

  /** Durable transactions written so far (one per group commit). */
  stats(): { transactions: number } {
    return { transactions: this.#commits }
  }

  /** Gives the room up (its owner becomes NULL) so any instance can take it at once. */
  async release(room: string): Promise<void> {
    this.#check(room)
    const epoch = this.#epochs.get(room)
    this.#epochs.delete(room)
    if (typeof epoch !== 'number') return
    // The epoch is read now: if this instance takes the room again before the statement runs,
    // the newer take has a newer epoch and is not released.
    await this.#db.query('UPDATE doc_rooms SET owner = NULL WHERE room = $1 AND owner = $2 AND epoch = $3', [room, this.#instanceId, epoch])
  }

  /** Every room this instance holds is to be treated as taken by another (its lease lapsed). */
  loseAll(): void {
    for (const room of this.#epochs.keys()) this.#epochs.set(room, 'lost')
  }

  async compact(room: string, snapshot: Uint8Array, uptoSeq: number): Promise<void> {
    this.#check(room)
    if (!this.#epochs.has(room)) await this.#take(room)
    const epoch = this.#epochs.get(room)
    if (typeof epoch !== 'number') throw new Fenced(room)
    await this.#db.transaction(async (client) => {
      // The row lock orders this compaction with the room's appends and any other compaction.
      const owned = await client.query<{ last_seq: number }>('SELECT last_seq FROM doc_rooms WHERE room = $1 AND owner = $2 AND epoch = $3 FOR UPDATE', [
        room,
        this.#instanceId,
        epoch,
      ])
      if (owned.rowCount === 0) {
        this.#epochs.set(room, 'lost')
        throw new Fenced(room)
      }
      checkCompaction(snapshot, uptoSeq, owned.rows[0].last_seq)
      const current = await client.query<{ seq: number }>('SELECT seq FROM doc_snapshots WHERE room = $1', [room])
      // A stale compaction (older than the current snapshot) would lose folded data: ignore it.
      if (uptoSeq < (current.rows[0]?.seq ?? 0)) return
      await client.query('INSERT INTO doc_snapshots (room, seq, data) VALUES ($1, $2, $3) ON CONFLICT (room) DO UPDATE SET seq = EXCLUDED.seq, data = EXCLUDED.data', [
        room,
        uptoSeq,
        snapshot,
      ])
      await client.query('UPDATE doc_updates SET data = NULL WHERE room = $1 AND seq <= $2 AND data IS NOT NULL', [room, uptoSeq])
      await client.query(FOLD_ACTIVITY, [room, current.rows[0]?.seq ?? 0, uptoSeq])
    })
  }

  async history(room: string, { afterSeq = 0, limit }: { afterSeq?: number; limit?: number } = {}): Promise<AttributionEntry[]> {
    this.#check(room)
    checkHistoryOptions(afterSeq, limit)
    const rows = await this.#db.query<AttributionEntry>('SELECT seq, principal, clients, at, bytes FROM doc_updates WHERE room = $1 AND seq > $2 ORDER BY seq LIMIT $3', [
      room,
      afterSeq,
      limit ?? null,
    ])
    return rows.rows.map(({ seq, principal, clients, at, bytes }) => ({ seq, principal, clients, at, bytes }))
  }

  // Reads of the counts, the uncounted tail and the entries see one state (a compaction moves
  // updates from the tail into the counts).
  async writeCounts(room: string, plan: ActivityPlan): Promise<WriteCount[]> {
    this.#check(room)
    checkPlan(plan)
    return this.#db.transaction(
      async (client): Promise<WriteCount[]> => {
        const counts: WriteCount[] = []
        for (const { granuleMs, ranges } of plan.granules) {
          if (ranges.length === 0) continue
          // Summed per bucket (each granule lies in one), timed at the bucket's start.
          const r = await client.query<WriteCount>(
            `SELECT a.principal, $5::bigint + (a.start - $5::bigint) / $6::bigint * $6::bigint AS at, SUM(a.updates)::bigint AS updates, SUM(a.bytes)::bigint AS bytes
             FROM unnest($3::bigint[], $4::bigint[]) AS r(f, t)
             JOIN doc_activity a ON a.room = $1 AND a.granule_ms = $2 AND a.start >= r.f AND a.start < r.t
             GROUP BY 1, 2`,
            [room, granuleMs, ranges.map((x) => x[0]), ranges.map((x) => x[1]), plan.since, plan.bucketMs],
          )
          counts.push(...r.rows)
        }
        for (const [from, to] of plan.raw) {
          const { firstSeq, lastSeq } = spanOf(await spansOf(client, room, SECOND_MS, ...granuleBounds(SECOND_MS, from, to)))
          const r = await client.query<{ principal: string; at: number; bytes: number }>(
            'SELECT principal, at, bytes FROM doc_updates WHERE room = $1 AND seq >= $2 AND seq <= $3 AND at >= $4 AND at < $5',
            [room, firstSeq, lastSeq, from, to],
          )
          counts.push(...rawCounts(r.rows))
        }
        counts.push(...rawCounts((await uncounted(client, room)).filter((e) => inPlan(plan, e.at))))
        return counts
      },
      { isolation: 'repeatable read' },
    )
  }

  async newestWrites(room: string, since: number, until: number, limit: number): Promise<{ from: number; entries: WriteRecord[] }> {
    this.#check(room)
    checkTimeRange(since, until, limit)
    return this.#db.transaction(
      async (client) => {
        const reader: SpanReader = {
          spans: (granuleMs, from, to) => spansOf(client, room, granuleMs, from, to),
          piece: async (from, to) => {
            const { firstSeq, lastSeq } = spanOf(await spansOf(client, room, SECOND_MS, ...granuleBounds(SECOND_MS, from, to)))
            const r = await client.query<{ updates: number; firstSeq: number | null; lastSeq: number | null }>(
              'SELECT COUNT(*)::bigint AS updates, MIN(seq) AS "firstSeq", MAX(seq) AS "lastSeq" FROM doc_updates WHERE room = $1 AND seq >= $2 AND seq <= $3 AND at >= $4 AND at < $5',
              [room, firstSeq, lastSeq, from, to],
            )
            const p = r.rows[0]
            return { start: from, updates: p.updates, firstSeq: p.firstSeq ?? 1, lastSeq: p.lastSeq ?? 0 }
          },
        }
        const tail = (await uncounted(client, room)).filter((e) => e.at >= since && e.at < until)
        const { from, firstSeq, lastSeq } = await newestSpan(reader, since, until, limit, tail)
        const rows = await client.query<WriteRecord>(
          'SELECT seq, principal, at, bytes FROM doc_updates WHERE room = $1 AND seq >= $2 AND seq <= $3 AND at >= $4 AND at < $5 ORDER BY seq',
          [room, firstSeq, lastSeq, from, until],
        )
        return { from, entries: rows.rows }
      },
      { isolation: 'repeatable read' },
    )
  }

  async rooms(): Promise<string[]> {
    this.#check()
    // A room has stored data once it handed out a seq (a snapshot needs one too).
    const rows = await this.#db.query<{ room: string }>('SELECT room FROM doc_rooms WHERE last_seq > 0')
    return rows.rows.map((r) => r.room)
  }

  /** Commits appends still waiting, then refuses further use. The database stays open for its other users. */
  async close(): Promise<void> {
    while (this.#flushing) await this.#flushing
    this.#closed = true
  }

  /** Takes `room`; concurrent calls share one take (each take bumps the epoch and would fence the others). */
  #take(room: string): Promise<void> {
    let taking = this.#taking.get(room)
    if (!taking) {
      taking = this.#takeOnce(room).finally(() => this.#taking.delete(room))
      this.#taking.set(room, taking)
    }
    return taking
  }

  async #takeOnce(room: string): Promise<void> {
    for (let attempt = 1; attempt <= TAKE_ATTEMPTS; attempt++) {
      const taken = await this.#db.query<{ epoch: number }>(TAKE, [room, this.#instanceId])
      if (taken.rows[0]) {
        this.#epochs.set(room, taken.rows[0].epoch)
        return
      }
      const { rows } = await this.#db.query<{ owner: string | null; url: string; live: boolean | null }>(OWNER, [room])
      const row = rows[0]
      if (row?.owner && row.live) throw new OwnedElsewhere(room, row.owner, row.url)
      // Released, or its owner's lease ran out, between the two statements: take it again.
    }
    throw new Error(`room ${room} could not be taken: its ownership kept changing; retry`)
  }

  #schedule(): void {
    if (this.#flushing) return
    // setImmediate lets every append requested in this turn (from every room) join the batch;
    // appends requested while a commit runs go in the next one.
    this.#flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        while (this.#pending.length > 0) await this.#flush()
      })
      .finally(() => {
        this.#flushing = null
        if (this.#pending.length > 0) this.#schedule()
      })
  }

  async #flush(): Promise<void> {
    const batch = this.#pending
    this.#pending = []
    let outcomes: AppendOutcome[]
    try {
      outcomes = await this.#commit(batch, false)
    } catch {
      // One request failed in the database and aborted the transaction (nothing committed):
      // again with a savepoint per request, so only that request fails.
      try {
        outcomes = await this.#commit(batch, true)
      } catch (error) {
        failBatch(batch, error)
        return
      }
    }
    settleBatch(batch, outcomes)
  }

  /** One transaction for `batch`; with `isolate`, a savepoint per request turns its failure into its outcome. */
  async #commit(batch: PendingAppend[], isolate: boolean): Promise<AppendOutcome[]> {
    const outcomes = await this.#db.transaction(async (client) => {
      const out: AppendOutcome[] = []
      for (const req of batch) {
        if (!isolate) {
          out.push(await this.#insert(client, req))
          continue
        }
        await client.query('SAVEPOINT request')
        try {
          out.push(await this.#insert(client, req))
          await client.query('RELEASE SAVEPOINT request')
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT request')
          out.push({ error })
        }
      }
      return out
    })
    this.#commits++
    return outcomes
  }

  async #insert(client: PgClient, { room, updates }: PendingAppend): Promise<AppendOutcome> {
    const epoch = this.#epochs.get(room)
    if (typeof epoch !== 'number') return { error: new Fenced(room) }
    const res = await client.query<{ seq: number }>(APPEND, [
      room,
      this.#instanceId,
      epoch,
      updates.length,
      updates.map((u) => u.principal),
      updates.map((u) => JSON.stringify(u.clients)),
      updates.map((u) => u.at),
      updates.map((u) => u.data.byteLength),
      updates.map((u) => u.data),
      updates.map((u) => (u.message === 'sync' || u.message === 'server' ? u.message : null)),
    ])
    if (res.rowCount === 0) {
      this.#epochs.set(room, 'lost')
      return { error: new Fenced(room) }
    }
    return { value: res.rows.map((r) => r.seq).sort((a, b) => a - b) }
  }

  #check(room?: string): void {
    if (this.#closed) throw new Error('storage is closed')
    if (room !== undefined) checkRoom(room)
  }
}

/** Every principal's writes per granule of [from, to), with the seq span that holds them. */
async function spansOf(q: PgQueryable, room: string, granuleMs: number, from: number, to: number): Promise<GranuleSpan[]> {
  const r = await q.query<GranuleSpan>(
    `SELECT start, SUM(updates)::bigint AS updates, MIN(first_seq) AS "firstSeq", MAX(last_seq) AS "lastSeq" FROM doc_activity
     WHERE room = $1 AND granule_ms = $2 AND start >= $3 AND start < $4 GROUP BY start`,
    [room, granuleMs, from, to],
  )
  return r.rows
}

/** The updates the counts do not hold yet: those after the room's snapshot (the compaction policy bounds them). */
async function uncounted(q: PgQueryable, room: string): Promise<Array<{ seq: number; principal: string; at: number; bytes: number }>> {
  const r = await q.query<{ seq: number; principal: string; at: number; bytes: number }>(
    'SELECT seq, principal, at, bytes FROM doc_updates WHERE room = $1 AND seq > COALESCE((SELECT seq FROM doc_snapshots WHERE room = $1), 0)',
    [room],
  )
  return r.rows
}

/** A plain Uint8Array over the Buffer pg returns (no copy), so all backends return the same type. */
function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}
