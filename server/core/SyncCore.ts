// The transport-independent sync core: rooms, connections, loading and unloading.
// Start here. An adapter (server/ws/) authenticates a socket, decides its rights, and
// hands it over with connect(); everything after that happens in Connection and Room.

import type { CoreLoad } from './coreLoad.ts'
import type * as Y from 'yjs'
import type { Logger } from 'pino'
import type { DocumentStorage } from '../storage/DocumentStorage.ts'
import type { CompactionStats } from '../storage/compaction.ts'
import type { ServerMetrics } from '../metrics.ts'
import { CLOSE } from '../../shared/wire/index.ts'
import { OwnedElsewhere } from '../storage/ownership.ts'
import { DEFAULT_LIMITS, type Limits } from './limits.ts'
import { Connection } from './Connection.ts'
import { Room, type RoomHistory } from './Room.ts'
import type { RoomExtension } from './RoomExtension.ts'
import type { ConnectionContext, Transport } from './transport.ts'
import { systemClock, type Clock } from './clock.ts'

export interface SyncCoreOptions {
  storage: DocumentStorage
  metrics: ServerMetrics
  logger: Logger
  limits?: Partial<Limits>
  /** Adds a feature to a room as it loads (e.g. the conflict detector on shared rooms). */
  extensionFor?: (room: string) => RoomExtension | undefined
  /** Version history for a room as it loads (shared rooms, whose documents keep deletions). */
  historyFor?: (room: string) => RoomHistory | undefined
  /** Told once a room's stored state is in, before any socket or server write reaches it. */
  onRoomLoaded?: (room: string, doc: Y.Doc) => void
  shouldCompact?: (stats: CompactionStats) => boolean
  /** Time for rate limits, read pauses and idle unloading (a fake one in tests). */
  clock?: Clock
}

export class SyncCore {
  readonly limits: Limits
  readonly #rooms = new Map<string, Promise<Room>>()
  /** The rooms whose load finished (what `load()` reads synchronously). */
  readonly #loaded = new Set<Room>()
  readonly #connections = new Set<Connection>()
  /** principal → room → open connections, for the rooms-per-principal cap. */
  readonly #openRooms = new Map<string, Map<string, number>>()
  #closing = false
  readonly #clock: Clock

  constructor(private readonly opts: SyncCoreOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits }
    this.#clock = opts.clock ?? systemClock
  }

  get connectionCount(): number {
    return this.#connections.size
  }

  /** Sizes of what the core holds, for tests and debugging: all return to 0 when idle. */
  /**
   * Queue and socket figures across loaded rooms, for the gauges (read when /metrics is scraped:
   * nothing is counted per update). A room's write queue and held updates, every socket's send
   * buffer and whether its reads are paused.
   */
  load(): CoreLoad {
    const out: CoreLoad = { queuedUpdates: 0, queuedBytes: 0, deepestQueue: 0, pendingUpdates: 0, pendingBytes: 0, sendBufferBytes: 0, pausedSockets: 0 }
    for (const room of this.#loaded) {
      out.queuedUpdates += room.queuedUpdates
      out.queuedBytes += room.queuedBytes
      out.deepestQueue = Math.max(out.deepestQueue, room.queuedUpdates)
      out.pendingUpdates += room.pendingUpdates
      out.pendingBytes += room.pendingBytes()
    }
    for (const conn of this.#connections) {
      out.sendBufferBytes += conn.sendBufferBytes
      if (conn.isPaused) out.pausedSockets++
    }
    return out
  }

  stats(): { rooms: number; connections: number; principalsWithRooms: number } {
    return { rooms: this.#rooms.size, connections: this.#connections.size, principalsWithRooms: this.#openRooms.size }
  }

  /** Accepts a socket whose principal may read ctx.room. Returns the connection to feed. */
  connect(transport: Transport, ctx: ConnectionContext): Connection {
    const conn = new Connection(ctx, transport, this.limits, this.opts.metrics, (c) => this.#onClose(c), this.#clock)
    if (this.#closing) {
      conn.close(CLOSE.goingAway, 'server shutting down')
      return conn
    }
    if (this.#connections.size >= this.limits.maxConnections) {
      conn.refuse(CLOSE.tryAgainLater, 'server at connection limit; retry later', 'max_connections')
      return conn
    }
    if (this.#socketsOf(ctx.principal) >= this.limits.maxSocketsPerPrincipal) {
      conn.refuse(CLOSE.tooManyRequests, `at most ${this.limits.maxSocketsPerPrincipal} sockets open per principal: close one and retry`, 'max_sockets')
      return conn
    }
    if (this.#roomsOf(ctx.principal, ctx.room) >= this.limits.maxRoomsPerPrincipal) {
      conn.refuse(CLOSE.tooManyRooms, `at most ${this.limits.maxRoomsPerPrincipal} rooms open per principal`, 'max_rooms')
      return conn
    }
    this.#connections.add(conn)
    this.#countRoom(ctx, 1)
    this.opts.metrics.connections.set(this.#connections.size)
    this.room(ctx.room).then(
      (room) => conn.attach(room),
      (err: unknown) => {
        if (err instanceof OwnedElsewhere) {
          // Served by another instance (several servers on one database): the client retries.
          this.opts.logger.info({ room: ctx.room, owner: err.owner }, 'room is served by another instance')
          conn.close(CLOSE.roomMoved, 'this room is served by another server instance; reconnect')
          return
        }
        this.opts.logger.error({ err, room: ctx.room }, 'room failed to load')
        conn.close(CLOSE.internalError, 'room could not be loaded')
      },
    )
    return conn
  }

  /** The loaded room (loading it if needed). */
  room(name: string): Promise<Room> {
    let loading = this.#rooms.get(name)
    if (!loading) {
      const room = new Room({
        name,
        storage: this.opts.storage,
        limits: this.limits,
        metrics: this.opts.metrics,
        logger: this.opts.logger,
        extension: this.opts.extensionFor?.(name),
        history: this.opts.historyFor?.(name),
        onIdle: (r) => void this.#unload(r),
        onBroken: (r) => void this.#drop(r, loaded),
        shouldCompact: this.opts.shouldCompact ?? (() => false),
        clock: this.#clock,
      })
      const loaded = room.load().then(() => {
        this.#loaded.add(room)
        this.opts.onRoomLoaded?.(name, room.doc)
        room.armIdle()
        return room
      })
      loading = loaded
      loading.catch(() => this.#rooms.delete(name))
      this.#rooms.set(name, loading)
      loading.then(() => this.opts.metrics.rooms.set(this.#rooms.size)).catch(() => {})
    }
    return loading
  }

  /** Closes every connection matching `predicate` (revoked token, removed member). */
  closeWhere(predicate: (ctx: ConnectionContext) => boolean, code: number, reason: string): number {
    let n = 0
    for (const conn of this.#connections) {
      if (predicate(conn.ctx)) {
        conn.close(code, reason)
        n++
      }
    }
    return n
  }

  /**
   * Every loaded room is to be treated as taken by another instance (this instance's lease
   * lapsed): each is dropped, its sockets sent to reconnect; the next use loads it again.
   */
  loseRooms(why: string): void {
    for (const room of this.#loaded) room.lose(why)
  }

  /** Stops accepting, closes sockets, writes out every room and releases it to other instances. */
  async close(): Promise<void> {
    this.#closing = true
    for (const conn of this.#connections) conn.close(CLOSE.goingAway, 'server shutting down')
    const rooms = await Promise.allSettled(this.#rooms.values())
    for (const r of rooms) {
      if (r.status !== 'fulfilled') continue
      await r.value.close()
      await this.#release(r.value)
    }
    this.#rooms.clear()
    this.#loaded.clear()
  }

  #onClose(conn: Connection): void {
    if (!this.#connections.delete(conn)) return
    this.#countRoom(conn.ctx, -1)
    this.opts.metrics.connections.set(this.#connections.size)
    this.#rooms
      .get(conn.ctx.room)
      ?.then((room) => room.removeConnection(conn))
      .catch(() => {})
  }

  /** Rooms `principal` has open, not counting `adding` if already among them (0 then). */
  #roomsOf(principal: string, adding: string): number {
    const rooms = this.#openRooms.get(principal)
    return !rooms || rooms.has(adding) ? 0 : rooms.size
  }

  /** Sockets `principal` has open (the connection counts per room, summed). */
  #socketsOf(principal: string): number {
    let n = 0
    for (const count of this.#openRooms.get(principal)?.values() ?? []) n += count
    return n
  }

  #countRoom(ctx: ConnectionContext, delta: 1 | -1): void {
    let rooms = this.#openRooms.get(ctx.principal)
    if (!rooms) this.#openRooms.set(ctx.principal, (rooms = new Map()))
    const n = (rooms.get(ctx.room) ?? 0) + delta
    if (n > 0) rooms.set(ctx.room, n)
    else rooms.delete(ctx.room)
    if (rooms.size === 0) this.#openRooms.delete(ctx.principal)
  }

  /** Forgets a room whose document can no longer be trusted (Room.#quarantine): the next use reloads it. */
  async #drop(room: Room, loaded: Promise<Room>): Promise<void> {
    if (this.#rooms.get(room.name) === loaded) this.#rooms.delete(room.name)
    await this.#closeRemoved(room, 'dropped room failed to close')
  }

  async #unload(room: Room): Promise<void> {
    if (room.connections.size > 0 || this.#closing) return
    // Updates of sockets that just left must be in storage before a reload could read it.
    await room.drain()
    if (room.connections.size > 0 || this.#closing) return
    this.#rooms.delete(room.name)
    await this.#closeRemoved(room, 'room failed to unload cleanly')
    // Another instance may serve it from now on, unless it was loaded here again meanwhile.
    if (!this.#rooms.has(room.name)) await this.#release(room)
  }

  /** Gives the room up in storage (several instances on one database); logged, never thrown. */
  async #release(room: Room): Promise<void> {
    try {
      await this.opts.storage.release?.(room.name)
    } catch (err) {
      this.opts.logger.warn({ err, room: room.name }, 'room could not be released; another instance can take it once this one stops')
    }
  }

  /** Closes a room already taken out of #rooms; `failure` is logged if closing fails. */
  async #closeRemoved(room: Room, failure: string): Promise<void> {
    this.#loaded.delete(room)
    this.opts.metrics.rooms.set(this.#rooms.size)
    try {
      await room.close()
    } catch (err) {
      this.opts.logger.error({ err, room: room.name }, failure)
    }
  }
}
