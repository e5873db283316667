// Task claims for an agent: claim with automatic lease renewal while it works, complete or
// release with the fencing token it holds. The server arbitrates; leases do the reassigning.
// The live board is the task room `W/tasks`, which only the server writes (from its task
// store), so what an agent reads there is what the server decided, never another client's write.

import { createTaskClient, keepLeaseAlive, type KeptLease, type TaskClient } from '../../shared/coord/client.ts'
import { ApiRequestError, type ApiClient, type Granted } from '../../shared/api/index.ts'
import { readTaskFromDoc, taskIdsInDoc, type Task, type TaskDocFields } from '../../shared/coord/index.ts'
import type { RoomSync } from './RoomSync.ts'

export interface Claimed {
  taskId: string
  fencingToken(): number
  /** Resolves if the lease is lost (expired while renewals failed, or taken over). */
  lost: Promise<{ reason: string }>
}

export interface AgentTasksOptions {
  api: ApiClient
  workspace: string
  /** Opens the task room (the Agent passes one bound to its socket settings and local store). */
  openTaskRoom?: () => RoomSync
}

export class AgentTasks {
  readonly client: TaskClient
  readonly #openTaskRoom?: () => RoomSync
  #room: RoomSync | null = null
  #held = new Map<string, KeptLease>()

  constructor(opts: AgentTasksOptions) {
    this.client = createTaskClient(opts.api, opts.workspace)
    this.#openTaskRoom = opts.openTaskRoom
  }

  /** The task room `W/tasks`, live and read-only (opened on first use). */
  get room(): RoomSync {
    if (!this.#openTaskRoom) throw new Error('no task room: construct AgentTasks with openTaskRoom (connectAgent does)')
    this.#room ??= this.#openTaskRoom()
    return this.#room
  }

  /** What the board shows now, from the task room (call `await tasks.room.whenSynced()` first for the server's view). */
  board(): Array<{ id: string } & TaskDocFields> {
    const doc = this.room.doc
    return taskIdsInDoc(doc).flatMap((id) => {
      const fields = readTaskFromDoc(doc, id)
      return fields ? [{ id, ...fields }] : []
    })
  }

  list(): Promise<Task[]> {
    return this.client.list()
  }

  /** Claims a task and keeps renewing its lease until complete/release/close. Throws ApiRequestError (409) when another holds it. */
  async claim(taskId: string, ttlMs = 30_000): Promise<Claimed> {
    const granted: Granted = await this.client.claim(taskId, ttlMs)
    const kept = keepLeaseAlive(this.client, granted)
    this.#held.get(taskId)?.stop()
    this.#held.set(taskId, kept)
    void kept.lost.then(() => this.#held.get(taskId) === kept && this.#held.delete(taskId))
    return { taskId, fencingToken: () => kept.current().fencingToken, lost: kept.lost }
  }

  async complete(taskId: string, result?: unknown): Promise<Task> {
    const kept = this.#need(taskId)
    kept.stop()
    this.#held.delete(taskId)
    return this.client.complete(taskId, kept.current().fencingToken, result)
  }

  async release(taskId: string): Promise<Task> {
    const kept = this.#need(taskId)
    kept.stop()
    this.#held.delete(taskId)
    return this.client.release(taskId, kept.current().fencingToken)
  }

  held(): string[] {
    return [...this.#held.keys()]
  }

  /** Stops renewing (leases then expire and return the tasks to the pool) and closes the task room. */
  close(): void {
    for (const kept of this.#held.values()) kept.stop()
    this.#held.clear()
    this.#room?.destroy()
    this.#room = null
  }

  #need(taskId: string): KeptLease {
    const kept = this.#held.get(taskId)
    if (!kept) throw new ApiRequestError(409, 'not_holder', `this agent holds no lease on ${taskId}`)
    return kept
  }
}
