// Task claims for an agent: claim with automatic lease renewal while it works, complete or
// release with the fencing token it holds. The server arbitrates; leases do the reassigning.

import { createTaskClient, keepLeaseAlive, TaskRefused, type Granted, type KeptLease, type TaskClient } from '../../shared/coord/client.ts'
import type { Task } from '../../shared/coord/index.ts'

export interface Claimed {
  taskId: string
  fencingToken(): number
  /** Resolves if the lease is lost (expired while renewals failed, or taken over). */
  lost: Promise<{ reason: string }>
}

export class AgentTasks {
  readonly client: TaskClient
  #held = new Map<string, KeptLease>()

  constructor(opts: { baseUrl: string; token: string; workspace: string }) {
    this.client = createTaskClient(opts)
  }

  list(): Promise<Task[]> {
    return this.client.list()
  }

  /** Claims a task and keeps renewing its lease until complete/release/close. Throws TaskRefused (409) when another holds it. */
  async claim(taskId: string, ttlMs = 30_000): Promise<Claimed> {
    const granted: Granted = await this.client.claim(taskId, ttlMs)
    const kept = keepLeaseAlive(this.client, granted)
    this.#held.get(taskId)?.stop()
    this.#held.set(taskId, kept)
    void kept.lost.then(() => this.#held.get(taskId) === kept && this.#held.delete(taskId))
    return { taskId, fencingToken: () => kept.current().fencingToken, lost: kept.lost }
  }

  async complete(taskId: string, result?: string): Promise<Task> {
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

  /** Stops renewing (leases then expire and return the tasks to the pool). */
  close(): void {
    for (const kept of this.#held.values()) kept.stop()
    this.#held.clear()
  }

  #need(taskId: string): KeptLease {
    const kept = this.#held.get(taskId)
    if (!kept) throw new TaskRefused(409, 'not_holder', `this agent holds no lease on ${taskId}`, {})
    return kept
  }
}
