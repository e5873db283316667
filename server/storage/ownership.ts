// Room ownership as the storage port reports it. On a store shared by several instances
// (PostgresStorage) one instance owns a room at a time: loading a room takes it, and every append
// carries the owner's epoch. SQLite and memory storage are one instance's alone and never throw these.

/** load() found the room owned by another live instance: serve it there (the relay uses `url`). */
export class OwnedElsewhere extends Error {
  constructor(
    readonly room: string,
    /** The owning instance's id. */
    readonly owner: string,
    /** Where the owner says it can be reached (its advertised URL; '' if it has not said). */
    readonly url: string,
  ) {
    super(`room ${room} is served by instance ${owner}${url ? ` at ${url}` : ''}`)
    this.name = 'OwnedElsewhere'
  }
}

/**
 * An append or compaction was refused because another instance took the room since this
 * instance loaded it (its epoch is stale). Nothing of the refused call was written: the room
 * must be dropped here and its clients sent to the new owner.
 */
export class Fenced extends Error {
  constructor(readonly room: string) {
    super(`room ${room} was taken over by another instance: this instance may no longer write to it`)
    this.name = 'Fenced'
  }
}
