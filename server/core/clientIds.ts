// Who owns a Yjs client id in a room: the principal that first sent structs under it.
// Blame and diffs name the author of each character by its client id, so the mapping must be
// trustworthy: a client id another principal already wrote under is refused at ingest (a
// second principal writing under it would put words in the first one's mouth). Only *new*
// structs claim an id: a sync step 2 relaying what the room already has claims nothing.

import { migrate, type Database } from '../db.ts'
import { SERVER_PRINCIPAL } from '../../shared/model.ts'

/** Owner recorded for the client ids the server writes under (resolutions, restores, tasks). */
export const SERVER_WRITER = SERVER_PRINCIPAL

const SCHEMA = `
CREATE TABLE history_client_ids (
  room TEXT NOT NULL,
  client INTEGER NOT NULL,
  principal TEXT NOT NULL,
  first_at INTEGER NOT NULL,
  PRIMARY KEY (room, client)
) WITHOUT ROWID;
`

/** Owners remembered in memory (every update of a shared room asks): cleared whole beyond this. */
const MAX_CACHED = 100_000

export class ClientIdOwners {
  /** `room\u0000client` → owner; an owner never changes once recorded, so the cache is never stale. */
  readonly #cache = new Map<string, string>()

  constructor(private readonly db: Database) {
    migrate(db, 'history/1-client-ids', SCHEMA)
  }

  ownerOf(room: string, client: number): string | null {
    const key = `${room}\u0000${client}`
    const cached = this.#cache.get(key)
    if (cached !== undefined) return cached
    const row = this.db.prepare('SELECT principal FROM history_client_ids WHERE room = ? AND client = ?').get(room, client) as { principal: string } | undefined
    if (!row) return null
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear()
    this.#cache.set(key, row.principal)
    return row.principal
  }

  /** Every recorded owner of the room's client ids. */
  owners(room: string): Map<number, string> {
    const rows = this.db.prepare('SELECT client, principal FROM history_client_ids WHERE room = ?').all(room) as Array<{ client: number; principal: string }>
    return new Map(rows.map((r) => [r.client, r.principal]))
  }

  /**
   * Records `principal` as the owner of each of `clients` not owned yet. Returns a refusal (what
   * to do about it) when one is owned by someone else; nothing is recorded then.
   */
  claim(room: string, principal: string, clients: Iterable<number>, at = Date.now()): string | null {
    const fresh: number[] = []
    for (const client of clients) {
      const owner = this.ownerOf(room, client)
      if (owner === null) fresh.push(client)
      else if (owner !== principal) return `client id ${client} belongs to another writer: use a new Y.Doc per principal`
    }
    if (fresh.length > 0) {
      const insert = this.db.prepare('INSERT OR IGNORE INTO history_client_ids (room, client, principal, first_at) VALUES (?, ?, ?, ?)')
      this.db.transaction(() => {
        for (const client of fresh) insert.run(room, client, principal, at)
      })()
    }
    return null
  }
}

/** Client ids under which `ends` (client → clock after the update) adds structs the room lacks. */
export function clientsWithNewStructs(ends: Map<number, number>, stateOf: (client: number) => number): number[] {
  const out: number[] = []
  for (const [client, end] of ends) if (end > stateOf(client)) out.push(client)
  return out
}
