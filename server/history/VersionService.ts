// Versions of shared rooms and what is read from them: automatic versions (a burst of edits
// settled, before every server write, when the room unloads) and requested ones; texts at a
// version, diffs and blame with authors, restore as a new attributed edit.

import * as Y from 'yjs'
import type { Logger } from 'pino'
import type { Room, RoomHistory } from '../core/Room.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import { foreignClientId, SERVER_WRITER, type ClientIdStore } from '../core/clientIds.ts'
import { transactionChanged } from '../core/transactionUpdate.ts'
import type { DocumentStorage } from '../storage/DocumentStorage.ts'
import { parseRoom } from '../../shared/rooms.ts'
import { documentText } from '../../shared/documents.ts'
import { textEdits } from '../../shared/textDiff.ts'
import { CURRENT } from '../../shared/api/schemas.ts'
import type { Version, VersionMeta, VersionReason, VersionStore } from './VersionStore.ts'
import { asReadSnapshot, type ReadPoint } from './asRead.ts'
import { blameRuns, changedDocs, diffSpans, textAt, type BlameRun, type DiffSpan } from './docHistory.ts'

/** Time and timers for idle versions (tests drive them by hand: test/helpers/fakeClock.ts). */
export interface HistoryClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const REAL_CLOCK: HistoryClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export interface HistoryOptions {
  /** A version is taken once a room has had no edit for this long after changes. */
  idleMs: number
  /** Clock for idle versions and version times (default: the real one). */
  clock?: HistoryClock
  /** Versions kept per room (oldest dropped first). */
  maxVersionsPerRoom: number
  /** Attribution-log entries read at load to record owners of client ids from before ownership was recorded. */
  maxLogScan: number
}

export const DEFAULT_HISTORY: HistoryOptions = { idleMs: 5 * 60_000, maxVersionsPerRoom: 1000, maxLogScan: 100_000 }

export interface VersionServiceOptions {
  /** The versions (SqliteVersionStore, or PostgresVersionStore shared by every instance). */
  store: VersionStore
  /** Client id owners (SqliteClientIds, or PostgresClientIds: exact across instances). */
  owners: ClientIdStore
  storage: DocumentStorage
  logger: Logger
  now?: () => number
  history?: Partial<HistoryOptions>
}

export class VersionService {
  readonly store: VersionStore
  readonly owners: ClientIdStore
  readonly #timers = new Map<string, unknown>()
  /**
   * Owners of each loaded room's client ids, read when it loads and kept as it claims: the room's
   * instance is its one writer, so a foreign id is refused at once; a new id is claimed in the
   * store (the truth across instances) before the update that uses it is stored.
   */
  readonly #roomOwners = new Map<string, Map<number, string>>()
  #core: SyncCore | null = null

  constructor(
    private readonly opts: VersionServiceOptions,
    readonly limits: HistoryOptions = { ...DEFAULT_HISTORY, ...opts.history },
  ) {
    this.store = opts.store
    this.owners = opts.owners
  }

  attach(core: SyncCore): void {
    this.#core = core
  }

  get #clock(): HistoryClock {
    return this.limits.clock ?? REAL_CLOCK
  }

  #now(): number {
    return this.limits.clock?.now() ?? this.opts.now?.() ?? Date.now()
  }

  /** The hooks a shared room gets (only shared rooms keep their deletions, gc off). */
  historyFor = (name: string): RoomHistory | undefined => {
    if (parseRoom(name)?.kind !== 'shared') return undefined
    return {
      loaded: async (room) => {
        const owners = await this.owners.owners(name)
        this.#roomOwners.set(name, owners)
        this.#watch(room, owners)
      },
      claimClients: (principal, clients) => this.#claim(name, principal, clients),
      beforeServerWrite: async (room, write) => {
        const refusal = await this.#claim(name, SERVER_WRITER, [write.clientId])
        if (refusal) throw new Error(`server write to ${name}: ${refusal}`)
        await this.#takeIfChanged(room, write.principal, 'before-server-write', write.reason)
      },
    }
  }

  /** Null (nothing new to claim), a refusal now, or the claim being stored (see #roomOwners). */
  #claim(room: string, principal: string, clients: number[]): string | null | Promise<string | null> {
    if (clients.length === 0) return null
    const known = this.#roomOwners.get(room)
    if (!known) return this.owners.claim(room, principal, clients, this.#now())
    const fresh: number[] = []
    for (const client of clients) {
      const owner = known.get(client)
      if (owner === undefined) fresh.push(client)
      else if (owner !== principal) return foreignClientId(client)
    }
    if (fresh.length === 0) return null
    for (const client of fresh) known.set(client, principal)
    return this.owners.claim(room, principal, fresh, this.#now()).then(
      (refusal) => {
        // Another instance holds one of them: forget the guess (the store answers the next claim).
        if (refusal) for (const client of fresh) if (known.get(client) === principal) known.delete(client)
        return refusal
      },
      (err: unknown) => {
        for (const client of fresh) if (known.get(client) === principal) known.delete(client)
        throw err
      },
    )
  }

  /** `owners`: the room's client id owners as stored when it loaded (one read serves the load and the backfill). */
  #watch(room: Room, owners: Map<number, string>): void {
    const backfill = this.#backfill(room, owners).catch((err: unknown) => this.opts.logger.error({ err, room: room.name }, 'client id backfill failed'))
    this.#backfills.set(room.name, backfill)
    // 'afterTransaction', not 'update': a listener on 'update' makes Yjs encode every change (see server/core/transactionUpdate.ts).
    // One timer per quiet spell, not one per edit: each change moves a deadline, and the timer,
    // when it fires before it, waits the rest (a clearTimeout and setTimeout per edit showed in
    // the fanout profile).
    let lastChange = 0
    const wait = (ms: number) => {
      const timer = this.#clock.setTimeout(() => {
        const left = lastChange + this.limits.idleMs - this.#clock.now()
        if (left > 0) return wait(left)
        this.#timers.delete(room.name)
        this.#safely(room, this.#takeIfChanged(room, SERVER_WRITER, 'idle', null))
      }, ms)
      this.#timers.set(room.name, timer)
    }
    const arm = (tr: Y.Transaction) => {
      if (!transactionChanged(tr)) return
      lastChange = this.#clock.now()
      if (!this.#timers.has(room.name)) wait(this.limits.idleMs)
    }
    room.doc.on('afterTransaction', arm)
    // Room.close drains and compacts before destroying the document, which still holds
    // everything then: the last edits of an unloading room get a version.
    room.doc.once('destroy', () => {
      room.doc.off('afterTransaction', arm)
      this.#clock.clearTimeout(this.#timers.get(room.name))
      this.#timers.delete(room.name)
      this.#backfills.delete(room.name)
      this.#roomOwners.delete(room.name)
      // The destroyed document keeps its content: the version is read from it after the store answers.
      this.#safely(room, this.#takeIfChanged(room, SERVER_WRITER, 'unload', null))
    })
  }

  #safely(room: Room, taking: Promise<unknown>): void {
    taking.catch((err: unknown) => this.opts.logger.error({ err, room: room.name }, 'could not take a version'))
  }

  /** Takes a version if anything was applied since the last one. */
  async #takeIfChanged(room: Room, principal: string, reason: VersionReason, label: string | null): Promise<VersionMeta | null> {
    const last = await this.store.latest(room.name)
    if (last && last.seq >= room.appliedSeq) return null
    if (!last && room.appliedSeq === 0) return null
    return this.#take(room, principal, reason, label, last, [])
  }

  #take(room: Room, principal: string, reason: VersionReason, label: string | null, last: Version | null, extraDocs: string[]): Promise<VersionMeta> {
    const prev = last ? Y.decodeSnapshotV2(last.snapshot) : null
    const docs = [...new Set([...changedDocs(room.doc, prev), ...extraDocs])]
    const snapshot = Y.encodeSnapshotV2(Y.snapshot(room.doc))
    return this.store.add({ room: room.name, seq: room.appliedSeq, at: this.#now(), principal, reason, label, docs, snapshot })
  }

  /** A version on request (POST .../versions): always taken, tagged with the document it was asked for. */
  async request(roomName: string, principal: string, doc: string, label: string | null): Promise<VersionMeta> {
    const room = await this.#room(roomName)
    await room.drain()
    return this.#take(room, principal, 'request', label, await this.store.latest(roomName), [doc])
  }

  list(roomName: string, doc: string, limit: number): Promise<VersionMeta[]> {
    return this.store.list(roomName, { doc, limit })
  }

  async textAt(roomName: string, doc: string, n: number): Promise<{ version: VersionMeta; text: string | null } | null> {
    const version = await this.store.get(roomName, n)
    if (!version) return null
    const room = await this.#room(roomName)
    const { snapshot, ...meta } = version
    return { version: meta, text: textAt(room.doc, Y.decodeSnapshotV2(snapshot), doc) }
  }

  /**
   * Document `doc` as an annotation's author read it (the snapshot or state vector its anchor
   * recorded: server/history/asRead.ts); `exact` is false for a state vector alone.
   */
  async textAsRead(roomName: string, doc: string, point: ReadPoint): Promise<{ text: string | null; exact: boolean } | { invalid: string }> {
    const room = await this.#room(roomName)
    await room.drain()
    const versions = 'stateVector' in point ? (await this.store.all(roomName)).map((v) => Y.decodeSnapshotV2(v.snapshot)) : []
    const found = asReadSnapshot(room.doc, point, () => versions)
    if ('invalid' in found) return found
    return { text: textAt(room.doc, found.snapshot, doc), exact: found.exact }
  }

  /** The spans from version `from` to `to`, or `missing`: which version or document does not exist. */
  async diff(roomName: string, doc: string, from: number, to: number | typeof CURRENT): Promise<{ spans: DiffSpan[] } | { missing: string }> {
    const room = await this.#room(roomName)
    await room.drain()
    const a = await this.store.get(roomName, from)
    if (!a) return { missing: `no version ${from}` }
    const b = to === CURRENT ? null : await this.store.get(roomName, to)
    if (to !== CURRENT && !b) return { missing: `no version ${to}` }
    const toSnap = b ? Y.decodeSnapshotV2(b.snapshot) : Y.snapshot(room.doc)
    const authorOf = await this.#authors(room)
    const spans = diffSpans(room.doc, doc, Y.decodeSnapshotV2(a.snapshot), toSnap, authorOf)
    return spans ? { spans } : { missing: `no document ${doc}` }
  }

  async blame(roomName: string, doc: string): Promise<BlameRun[] | null> {
    const room = await this.#room(roomName)
    await room.drain()
    const authorOf = await this.#authors(room)
    const timeOf = await this.#times(roomName)
    return blameRuns(room.doc, doc, authorOf, timeOf)
  }

  /**
   * Writes the text of `doc` at version `n` over the current text, as the minimal edit, through
   * Room.writeAsServer (attributed to `principal`, seen by the conflict detector like any edit).
   */
  async restore(roomName: string, doc: string, n: number, principal: string): Promise<{ restored: true; edits: number } | { missing: string }> {
    const version = await this.store.get(roomName, n)
    if (!version) return { missing: `no version ${n}` }
    const room = await this.#room(roomName)
    const target = textAt(room.doc, Y.decodeSnapshotV2(version.snapshot), doc)
    if (target === null) return { missing: `document ${doc} did not exist at version ${n}` }
    if (!documentText(room.doc, doc)) return { missing: `no document ${doc}: it was deleted` }
    let edits = 0
    await room.writeAsServer(principal, `restore v${n}`, (d) => {
      const text = documentText(d, doc)
      if (!text) return
      const ops = textEdits(text.toString(), target)
      edits = ops.length
      for (const op of ops) {
        if (op.delete > 0) text.delete(op.index, op.delete)
        if (op.insert) text.insert(op.index, op.insert)
      }
    })
    return { restored: true, edits }
  }

  /** Author of each client id (every id in the room is recorded once its backfill is done). */
  async #authors(room: Room): Promise<(client: number) => string> {
    await this.#backfills.get(room.name)
    const owners = await this.owners.owners(room.name)
    return (client) => owners.get(client) ?? 'unknown'
  }

  readonly #backfills = new Map<string, Promise<void>>()

  /**
   * Client ids written before ownership was recorded get the principal of the first log entry
   * naming them, so nobody can claim them now. Bounded by maxLogScan entries.
   */
  async #backfill(room: Room, owners: ReadonlyMap<number, string>): Promise<void> {
    // Read before the first await: the ids no owner was stored for when the room loaded.
    const unowned = new Set([...room.doc.store.clients.keys()].filter((client) => !owners.has(client)))
    let afterSeq = 0
    for (let read = 0; unowned.size > 0 && read < this.limits.maxLogScan;) {
      const page = await this.opts.storage.history(room.name, { afterSeq, limit: 5000 })
      if (page.length === 0) break
      for (const entry of page) {
        for (const client of entry.clients) {
          if (!unowned.delete(client)) continue
          if ((await this.owners.claim(room.name, entry.principal, [client], entry.at)) === null) this.#roomOwners.get(room.name)?.set(client, entry.principal)
        }
      }
      afterSeq = page.at(-1)!.seq
      read += page.length
    }
  }

  /** When an item was written, by: the first version holding it, or null (since the latest version). */
  async #times(roomName: string): Promise<(id: Y.ID) => number | null> {
    const versions = (await this.store.all(roomName)).map((v) => ({ at: v.at, sv: Y.decodeSnapshotV2(v.snapshot).sv }))
    return (id) => {
      let lo = 0
      let hi = versions.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if ((versions[mid].sv.get(id.client) ?? 0) > id.clock) hi = mid
        else lo = mid + 1
      }
      return lo < versions.length ? versions[lo].at : null
    }
  }

  #room(name: string): Promise<Room> {
    if (!this.#core) throw new Error('version service is not attached to a sync core')
    return this.#core.room(name)
  }

  close(): void {
    for (const timer of this.#timers.values()) this.#clock.clearTimeout(timer)
    this.#timers.clear()
  }
}
