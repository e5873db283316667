// The coordination service of one server: the task store plus everything that follows a
// committed change — Prometheus counters, `claimRace` events for the conflict log, the
// reflection of the task into the task room `W/tasks` (which only the server writes, so the
// board every member sees is the store's, never a client's), and the lease-expiry timer.
//
// Events (typed, see CoordinatorEvents):
//   'entry'     every claim-log entry, after its transaction committed
//   'claimRace' every claim refused because another principal held the lease

import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { ServerMetrics } from '../metrics.ts'
import type { Room } from '../core/Room.ts'
import { CLAIM_OUTCOMES, taskDocFields, writeTaskToDoc, type ClaimLogEntry, type ClaimOutcome, type ClaimRace, type TaskHistoryItem } from '../../shared/coord/index.ts'
import { SERVER_PRINCIPAL } from '../../shared/model.ts'
import { tasksRoom } from '../../shared/rooms.ts'
import type { TaskStore } from './TaskStore.ts'
import { OwnedElsewhere } from '../storage/ownership.ts'

export interface CoordinatorOptions {
  /** The task store (SQLite or Postgres); the coordinator closes it. */
  store: TaskStore
  /** Loads a room to reflect tasks into (SyncCore.room). */
  room: (name: string) => Promise<Room>
  metrics: ServerMetrics
  logger: Logger
  /** Longest the expiry timer sleeps before looking again, ms. */
  maxSweepDelayMs?: number
}

export interface CoordinatorEvents {
  entry: [ClaimLogEntry]
  claimRace: [ClaimRace]
}

/** Events that change what the task room shows for a task. */
const REFLECTED = new Set<ClaimLogEntry['event']>(['created', 'won', 'renewed', 'released', 'completed', 'expired'])
/** Events kept in a task's `history` field in the task room. */
const HISTORY = ['created', 'won', 'released', 'completed', 'expired'] as const

export class Coordinator extends EventEmitter<CoordinatorEvents> {
  readonly store: TaskStore
  #reflections = new Map<string, Promise<void>>()
  #timer: NodeJS.Timeout | null = null
  /** Schedules run one after another, so the last one arms the timer from the latest state. */
  #scheduling: Promise<void> = Promise.resolve()
  #closed = false

  constructor(private readonly opts: CoordinatorOptions) {
    super()
    this.store = opts.store
    this.store.onEntries((entries) => this.#onEvents(entries))
  }

  /** Returns leases that ran out while the server was down, re-asserts every task in the task room, arms the timer. */
  async start(): Promise<void> {
    await this.store.expireDue()
    const all: Promise<void>[] = []
    for (const ws of await this.store.workspaces()) for (const t of await this.store.list(ws)) all.push(this.reflect(ws, t.id))
    await Promise.all(all)
    this.#schedule()
  }

  /** Stops the timer and waits for pending document writes (call before the sync core closes). */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#scheduling
    await Promise.allSettled(this.#reflections.values())
    await this.store.close()
  }

  /**
   * Writes the task's stored state into `<ws>/tasks` as the server principal. Writes for one
   * task are chained, and each reads the store when it runs, so the document ends at the latest state.
   */
  reflect(workspace: string, id: string): Promise<void> {
    const key = `${workspace}\u0000${id}`
    const previous = this.#reflections.get(key) ?? Promise.resolve()
    const next = previous.then(() => this.#write(workspace, id))
    this.#reflections.set(key, next)
    void next.then(() => {
      if (this.#reflections.get(key) === next) this.#reflections.delete(key)
    })
    return next
  }

  /** Resolves once every reflection queued for the task so far is written. */
  settled(workspace: string, id: string): Promise<void> {
    return this.#reflections.get(`${workspace}\u0000${id}`) ?? Promise.resolve()
  }

  async #write(workspace: string, id: string): Promise<void> {
    if (this.#closed) return
    try {
      const room = await this.opts.room(tasksRoom(workspace))
      const task = await this.store.peek(workspace, id)
      if (!task) return
      const fields = taskDocFields(task, await this.#history(workspace, id))
      await room.writeAsServer(SERVER_PRINCIPAL, `task ${id}`, (doc) => writeTaskToDoc(doc, id, fields))
    } catch (err) {
      // Several servers: another live instance owns the task room. Every instance hears every
      // claim-log entry, so the owner writes this one; writing it here is neither possible nor needed.
      if (err instanceof OwnedElsewhere) return
      // The store stays the truth; the next change of this task (or a restart) rewrites it.
      this.opts.logger.error({ err, workspace, task: id }, 'could not reflect task into the task room')
    }
  }

  async #history(workspace: string, id: string): Promise<TaskHistoryItem[]> {
    return (await this.store.claimLog(workspace, { taskId: id, events: [...HISTORY], limit: 20 })).map((e) => ({
      at: e.at,
      event: e.event,
      principal: e.principal,
      fencingToken: e.fencingToken,
    }))
  }

  #onEvents(entries: ClaimLogEntry[]): void {
    let leasesChanged = false
    for (const e of entries) {
      if ((CLAIM_OUTCOMES as readonly string[]).includes(e.event)) this.opts.metrics.claimResults.inc({ outcome: e.event as ClaimOutcome })
      if (REFLECTED.has(e.event)) {
        void this.reflect(e.workspace, e.taskId)
        leasesChanged ||= e.event !== 'created'
      }
      if (e.event === 'expired') this.opts.logger.info({ workspace: e.workspace, task: e.taskId, holder: e.principal, fencingToken: e.fencingToken }, 'lease expired')
      this.emit('entry', e)
      if (e.event === 'race' && e.holder) {
        const heldForMs = typeof e.detail?.heldForMs === 'number' ? e.detail.heldForMs : 0
        this.emit('claimRace', {
          workspace: e.workspace,
          taskId: e.taskId,
          loser: e.principal,
          holder: e.holder,
          holderFencingToken: e.fencingToken ?? 0,
          heldForMs,
          at: e.at,
        })
      }
    }
    if (leasesChanged) this.#schedule()
  }

  /**
   * Arms one timer for the earliest lease expiry, so the board shows expiry without an access.
   * The delay comes from the store's clock (the database's on Postgres). With several
   * instances each arms its own timer; the store makes the sweep expire each lease once.
   */
  #schedule(): void {
    this.#scheduling = this.#scheduling.then(() => this.#arm()).catch((err: unknown) => this.opts.logger.error({ err }, 'could not schedule the lease expiry sweep'))
  }

  async #arm(): Promise<void> {
    if (this.#closed) return
    const until = await this.store.msUntilNextExpiry()
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    if (until === null || this.#closed) return
    const delay = Math.min(Math.max(0, until + 1), this.opts.maxSweepDelayMs ?? 60_000)
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.store.expireDue().then(
        () => this.#schedule(),
        (err: unknown) => {
          this.opts.logger.error({ err }, 'lease expiry sweep failed')
          this.#schedule()
        },
      )
    }, delay)
    this.#timer.unref()
  }
}
