// The storage port for room documents. Every backend (memory, SQLite, later Postgres)
// passes the same contract suite in test/storage/contract.ts.
//
// Contract:
// - append() resolves only once the updates are durable (on disk for persistent backends),
//   assigns strictly increasing per-room sequence numbers, and is atomic per call.
// - load() returns the latest snapshot (if any) and every update after it, in seq order.
// - compact() replaces update *data* up to and including `uptoSeq` by a snapshot; the
//   attribution of those updates (principal, clients, time, size) stays readable via history().
// - rooms are independent namespaces keyed by the room name.
// - On a store several instances share (PostgresStorage), load() takes the room for this instance
//   or throws OwnedElsewhere, and append()/compact() reject with Fenced once another instance took
//   it (server/storage/ownership.ts); release() gives it up. A store one process owns never throws these.
// - writeCounts() counts a room's writes in a range from counts kept as updates are appended (in
//   the append's transaction: server/storage/writeActivity.ts), so its cost grows with the
//   range's buckets and minutes, not with how many updates the room holds; newestWrites() reads
//   the newest entries of a time range, at most `limit`, found through the same counts.

import type { ActivityPlan } from '../../shared/coord/activityPlan.ts'

export interface UpdateMeta {
  /** Principal that sent the update. */
  principal: string
  /** Yjs client ids whose structs the update carries. */
  clients: number[]
  /** Server receive time, ms since epoch. */
  at: number
  /**
   * How it arrived: 'sync' (a sync step 2, carrying everything the sender knew), 'update'
   * (the sender's own new writes) or 'server' (written by the server on a copy of the whole
   * document, so its writer had seen everything). Absent means 'update'. The conflict detector replays it.
   */
  message?: 'sync' | 'update' | 'server'
}

export interface StoredUpdate extends UpdateMeta {
  seq: number
  data: Uint8Array
}

export interface AttributionEntry extends UpdateMeta {
  seq: number
  bytes: number
}

/** Writes to one room by one principal: summed over one bucket of a plan, or one raw entry. */
export interface WriteCount {
  principal: string
  /** The bucket's start (stored counts), or the entry's own time (the sub-second ends of a range). */
  at: number
  updates: number
  bytes: number
}

/** One write as newestWrites reads it: its attribution without the client ids. */
export type WriteRecord = Pick<AttributionEntry, 'seq' | 'principal' | 'at' | 'bytes'>

export interface RoomState {
  snapshot: Uint8Array | null
  /** Highest seq folded into the snapshot (0 when there is none). */
  snapshotSeq: number
  /** Updates after snapshotSeq, ascending. */
  updates: StoredUpdate[]
}

export interface DocumentStorage {
  load(room: string): Promise<RoomState>
  append(room: string, updates: Array<UpdateMeta & { data: Uint8Array }>): Promise<number[]>
  compact(room: string, snapshot: Uint8Array, uptoSeq: number): Promise<void>
  history(room: string, options?: { afterSeq?: number; limit?: number }): Promise<AttributionEntry[]>
  /** The room's writes in the plan's range (shared/coord/activityPlan.ts), counted per bucket. */
  writeCounts(room: string, plan: ActivityPlan): Promise<WriteCount[]>
  /**
   * The newest writes of [since, until): every entry with `at` in [from, until), in seq order, at
   * most `limit` of them. `from` is `since` when the range holds no more than `limit`, else a later
   * whole second, or `until` (nothing read) when the range's last part-second alone holds more
   * (server/storage/writeActivity.ts newestSpan).
   */
  newestWrites(room: string, since: number, until: number, limit: number): Promise<{ from: number; entries: WriteRecord[] }>
  /**
   * The server unloaded the room (after writing everything out): another instance may take it
   * at once. Absent (nothing to do) where one process owns the store.
   */
  release?(room: string): Promise<void>
  /** Names of every room with stored data. */
  rooms(): Promise<string[]>
  close(): Promise<void>
}
