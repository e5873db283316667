// The real sync core (SyncCore, Room, Connection) on the real SQLite store in a temp dir,
// with no sockets and no wall clock: clients talk over MemorySockets and time is a fake
// clock the test advances. settle() delivers every frame both ways until nothing moves.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SyncCore, type SyncCoreOptions } from '../../server/core/SyncCore.ts'
import { SqliteStorage } from '../../server/storage/SqliteStorage.ts'
import { ServerMetrics } from '../../server/metrics.ts'
import { createLogger } from '../../server/logger.ts'
import { openDatabase, type Database } from '../../server/db.ts'
import type { Limits } from '../../server/core/limits.ts'
import { ConflictService } from '../../server/conflicts/ConflictService.ts'
import { SqliteConflictLog } from '../../server/conflicts/SqliteConflictLog.ts'
import { SqliteClientOwners } from '../../server/conflicts/SqliteClientOwners.ts'
import { fakeClock, type FakeClock } from './fakeClock.ts'
import { MemoryClient, type MemoryClientOptions, type MemoryServer } from './memoryClient.ts'
import type { MemorySocket } from './memorySocket.ts'

export interface MemoryCoreOptions {
  limits?: Partial<Limits>
  /** Reuse a data directory (a restart); default a fresh temp dir, removed by close(). */
  dataDir?: string
  clock?: FakeClock
  /** Shared rooms run the conflict detector, as on the server (probes, acknowledgements, no GC). */
  conflicts?: boolean
  /** More SyncCore options (extensions, history, compaction policy). */
  core?: Partial<Omit<SyncCoreOptions, 'storage' | 'metrics' | 'logger' | 'limits' | 'clock'>>
}

/** Rounds without any frame moving before settle() calls the core quiet (room flushes take a few turns). */
const QUIET_ROUNDS = 3

export class MemoryCore implements MemoryServer {
  readonly core: SyncCore
  readonly clock: FakeClock
  readonly metrics = new ServerMetrics()
  readonly db: Database
  readonly storage: SqliteStorage
  readonly #sockets = new Set<MemorySocket>()
  #stopped = false

  constructor(
    readonly dataDir: string,
    private readonly opts: MemoryCoreOptions,
    private readonly ownsDir: boolean,
  ) {
    this.clock = opts.clock ?? fakeClock(1_800_000_000_000)
    this.db = openDatabase(join(dataDir, 'polyphony.db'))
    this.storage = new SqliteStorage(this.db)
    const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')
    const conflicts = opts.conflicts ? new ConflictService({ log: new SqliteConflictLog(this.db), owners: new SqliteClientOwners(this.db), metrics: this.metrics, logger }) : null
    this.core = new SyncCore({
      ...(conflicts ? { extensionFor: conflicts.extensionFor } : {}),
      ...opts.core,
      storage: this.storage,
      metrics: this.metrics,
      logger,
      limits: opts.limits,
      clock: this.clock,
    })
    conflicts?.attach(this.core)
  }

  /** A new client on `room` as `principal`, connected (its handshake waits for settle()). */
  client(room: string, principal: string, opts: MemoryClientOptions = {}): MemoryClient {
    const client = new MemoryClient(room, principal, opts)
    client.connect(this)
    return client
  }

  open(client: MemoryClient, socket: MemorySocket): void {
    if (this.#stopped) throw new Error('this memory core was stopped: connect to the restarted one')
    this.#sockets.add(socket)
    socket.conn = this.core.connect(socket.transport, {
      principal: client.principal,
      principalKind: 'human',
      principalName: client.principal,
      room: client.room,
      canWrite: client.canWrite,
      wantsPersisted: client.wantsPersisted,
    })
  }

  /** Sockets not finished yet (both directions still may carry something). */
  get sockets(): MemorySocket[] {
    return [...this.#sockets]
  }

  /**
   * Delivers every frame both ways and lets rooms store and broadcast, until nothing moves.
   * Time does not pass: a socket paused by its rate limit stays paused (advance the clock).
   */
  async settle(maxRounds = 10_000): Promise<void> {
    let quiet = 0
    for (let round = 0; round < maxRounds; round++) {
      let moved = 0
      for (const s of this.#sockets) {
        moved += s.deliverToServer() + s.deliverToClient()
        if (s.finished) this.#sockets.delete(s)
      }
      await this.#drainRooms()
      await new Promise((r) => setImmediate(r))
      quiet = moved === 0 ? quiet + 1 : 0
      if (quiet >= QUIET_ROUNDS) return
    }
    throw new Error(`the memory core did not settle in ${maxRounds} rounds`)
  }

  /** settle(), advancing the clock by stepMs while reads are paused, at most maxMs in all. */
  async settleOverTime(stepMs: number, maxMs: number): Promise<number> {
    let elapsed = 0
    await this.settle()
    while ([...this.#sockets].some((s) => s.toServer.length > 0 && s.serverPaused)) {
      if (elapsed >= maxMs) throw new Error(`reads still paused after ${maxMs} ms of fake time`)
      await this.clock.advance(stepMs)
      elapsed += stepMs
      await this.settle()
    }
    return elapsed
  }

  /** Times the core refused something for `reason` (a ServerMetrics label). */
  async refusedCount(reason: string): Promise<number> {
    const metric = await this.metrics.refused.get()
    return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0
  }

  /** Closes the core as a server stop does (sockets closed, rooms written out) and the database. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    await this.core.close()
    // Let the clients hear their close.
    for (const s of this.#sockets) s.deliverToClient()
    this.#sockets.clear()
    await this.storage.close()
    this.db.close()
  }

  /** A new core on the same data directory and clock (clients reconnect to it). */
  async restart(): Promise<MemoryCore> {
    await this.stop()
    return new MemoryCore(this.dataDir, { ...this.opts, dataDir: this.dataDir, clock: this.clock }, this.ownsDir)
  }

  /** Stops and removes the temp dir (when this harness made it). */
  async close(): Promise<void> {
    await this.stop()
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true })
  }

  async #drainRooms(): Promise<void> {
    const rooms = new Set<string>()
    for (const s of this.#sockets) if (s.conn && !s.conn.isClosed) rooms.add(s.conn.ctx.room)
    for (const name of rooms) await (await this.core.room(name)).drain()
  }
}

export function startMemoryCore(opts: MemoryCoreOptions = {}): MemoryCore {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'polyphony-memory-'))
  return new MemoryCore(dataDir, opts, opts.dataDir === undefined)
}
