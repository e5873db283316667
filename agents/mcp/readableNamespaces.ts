// Live read-only replicas of the other namespaces this session may read, so wait_for_changes
// wakes on other agents' annotations, proposals and notes the moment they arrive. The set
// follows the server's answer (visibility, submissions, membership), is bounded, and is closed
// when nobody has waited for a minute: each replica is a socket, and a principal's sockets are
// capped by the server (the browser of the same person needs some too).

import { RoomSync } from '../sdk/RoomSync.ts'
import type { Agent } from '../sdk/Agent.ts'
import { namespaceRoom } from '../../shared/rooms.ts'
import { parseNote } from '../../shared/annotations.ts'

/** Beyond this many readable namespaces, the rest are not watched (their changes show in read_readings). */
export const MAX_WATCHED_NAMESPACES = 8
/** Replicas close after this long without a wait_for_changes or read_readings. */
export const WATCH_IDLE_MS = 60_000
/** How long a refresh waits for newly opened replicas to sync. */
const SYNC_WAIT_MS = 3000

export interface Connection {
  /** ws://host:port/sync */
  wsUrl: string
  token: string
}

export class ReadableNamespaces {
  readonly #syncs = new Map<string, RoomSync>()
  #idle: NodeJS.Timeout | undefined

  constructor(
    private readonly agent: Agent,
    private readonly connection: Connection,
  ) {}

  /** Asks the server which namespaces this principal may read now and follows them (bounded wait for new ones). */
  async refresh(): Promise<void> {
    const info = await this.agent.api.workspace(this.agent.workspace)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.follow(info.readableNamespaces ?? []), new Promise((r) => (timer = setTimeout(r, SYNC_WAIT_MS)))])
    clearTimeout(timer)
  }

  /** Notes about document `docId` in the watched namespaces. */
  notes(docId: string): Array<{ owner: string; id: string; text: string }> {
    const out: Array<{ owner: string; id: string; text: string }> = []
    for (const [owner, sync] of this.#syncs) {
      sync.doc.getMap('notes').forEach((v) => {
        const note = parseNote(v)
        if (note && note.doc === docId) out.push({ owner, id: note.id, text: note.text })
      })
    }
    return out
  }

  /** Opens replicas for `owners` (other than the agent itself), closes those no longer readable; resolves when the new ones are in sync. */
  async follow(owners: string[]): Promise<void> {
    clearTimeout(this.#idle)
    this.#idle = setTimeout(() => this.close(), WATCH_IDLE_MS).unref()
    const wanted = new Set(owners.filter((o) => o !== this.agent.principal.id).slice(0, MAX_WATCHED_NAMESPACES))
    for (const [owner, sync] of this.#syncs) {
      if (!wanted.has(owner) || sync.state === 'denied') {
        sync.destroy()
        this.#syncs.delete(owner)
      }
    }
    const opened: RoomSync[] = []
    for (const owner of wanted) {
      if (this.#syncs.has(owner)) continue
      const sync = new RoomSync({ ...this.connection, room: namespaceRoom(this.agent.workspace, owner) })
      this.#syncs.set(owner, sync)
      opened.push(sync)
    }
    await Promise.allSettled(opened.map((s) => s.whenSynced()))
  }

  /** `owner/map:key` of every item in the watched namespaces. */
  keys(): string[] {
    const out: string[] = []
    for (const [owner, sync] of this.#syncs) {
      for (const map of ['annotations', 'proposals', 'notes']) sync.doc.getMap(map).forEach((_v, key) => out.push(`${owner}/${map}:${key}`))
    }
    return out
  }

  /** Calls `fn` on the next update to any watched namespace; returns the unsubscribe. */
  onUpdate(fn: () => void): () => void {
    const docs = [...this.#syncs.values()].map((s) => s.doc)
    for (const d of docs) d.on('update', fn)
    return () => docs.forEach((d) => d.off('update', fn))
  }

  close(): void {
    clearTimeout(this.#idle)
    for (const s of this.#syncs.values()) s.destroy()
    this.#syncs.clear()
  }
}
