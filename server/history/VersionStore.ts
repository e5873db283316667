// The version store port: small Yjs snapshots (state vector + delete set) of a history-keeping
// room (gc off), keyed by the storage log sequence they were taken at. A snapshot is only
// meaningful against the room's own document, which keeps every deleted item.
//
// Contract (test/history/versionContract.ts, clause ids [VSn]):
// - add() numbers versions per room 1, 2, 3, … (`n`), never reusing a number, and returns the row.
// - list() returns a room's versions newest first, at most `limit`, optionally only those that
//   touched a document, without snapshot bytes; get() returns one with its snapshot.
// - rooms are independent; a version survives a reopen of the same database.
// - two stores on one database (two instances) adding to one room at once never share a number.
// - at most `maxPerRoom` versions are kept per room: adding beyond it drops the oldest.

export type VersionReason = 'idle' | 'before-server-write' | 'request' | 'unload'

export interface NewVersion {
  room: string
  /** Room.appliedSeq when the snapshot was taken: every update up to it is in the version. */
  seq: number
  at: number
  /** Who asked: the caller, the principal a server write acts for, or polyphony-server (idle, unload). */
  principal: string
  reason: VersionReason
  /** Free text: the caller's label, or what the server was about to do. */
  label: string | null
  /** Documents whose text changed since the previous version (and a document a label names). */
  docs: string[]
  /** Y.encodeSnapshotV2(Y.snapshot(doc)). */
  snapshot: Uint8Array
}

export interface VersionMeta extends Omit<NewVersion, 'snapshot'> {
  n: number
  /** Bytes of the stored snapshot. */
  bytes: number
}

export interface Version extends VersionMeta {
  snapshot: Uint8Array
}

export interface VersionStore {
  add(version: NewVersion): Promise<VersionMeta>
  list(room: string, options?: { doc?: string; limit?: number }): Promise<VersionMeta[]>
  get(room: string, n: number): Promise<Version | null>
  latest(room: string): Promise<Version | null>
  /** Every version of a room, oldest first, with snapshots (at most maxPerRoom). */
  all(room: string): Promise<Version[]>
}
