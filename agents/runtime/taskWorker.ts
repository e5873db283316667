// A task worker: takes an open, unblocked task from the board, claims it (the SDK renews the
// lease while it works), does it, completes it with the result, and takes the next. Several
// workers share a board; the server's leases and fencing tokens keep each task to one worker,
// and a dead worker's task goes back to the pool when its lease runs out.

import type { Agent } from '../sdk/Agent.ts'
import { ApiRequestError } from '../../shared/api/index.ts'
import { boardExhausted, claimOrder, readyTasks } from '../../shared/coord/index.ts'

/** What a worker is given to do: the task and what the tasks it depended on produced. */
export interface TaskToDo {
  id: string
  title: string
  description: string
  dependsOn: string[]
  dependencyResults: Record<string, unknown>
}

/** Does one task; resolves with the result to complete it with, or `undefined` to hand it back (e.g. the model is paused). */
export type DoTask = (task: TaskToDo, signal: AbortSignal) => Promise<unknown>

export interface WorkerOptions {
  /** Lease length asked for each claim (renewed every third of it while working). */
  leaseMs?: number
  /** Stop when nothing is left to take (every task done, or the rest can never unblock). */
  once?: boolean
  /** Look at the board again at least this often while idle (leases expire without a board change reaching us). */
  pollMs?: number
  /** Called before each task; resolves when the worker may go on (e.g. the token budget). */
  beforeTask?: () => Promise<void>
  log?: (msg: string, fields?: Record<string, unknown>) => void
}

export interface TaskWorker {
  /** Resolves when the worker has stopped (after stop(), or with `once` when nothing is left). */
  readonly done: Promise<void>
  /** Tasks this worker completed. */
  readonly completed: string[]
  /** Stops after the current task is handed back (its lease is released). */
  stop(): Promise<void>
}

export function runTaskWorker(agent: Agent, doTask: DoTask, opts: WorkerOptions = {}): TaskWorker {
  const leaseMs = opts.leaseMs ?? 30_000
  const pollMs = opts.pollMs ?? 1000
  const log = opts.log ?? (() => {})
  const stopping = new AbortController()
  const completed: string[] = []

  const boardChanged = () =>
    new Promise<void>((resolve) => {
      const doc = agent.tasks.room.doc
      const done = () => {
        clearTimeout(timer)
        doc.off('update', done)
        stopping.signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, pollMs)
      doc.on('update', done)
      stopping.signal.addEventListener('abort', done)
    })

  async function work(task: TaskToDo): Promise<void> {
    let claimed
    try {
      claimed = await agent.tasks.claim(task.id, leaseMs)
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 409) return log('claim refused', { task: task.id, code: err.code })
      throw err
    }
    log('working', { task: task.id, title: task.title, fencingToken: claimed.fencingToken() })
    agent.setStatus('thinking', `working on task ${task.title}`)
    const abort = new AbortController()
    const onStop = () => abort.abort()
    stopping.signal.addEventListener('abort', onStop)
    const lost = claimed.lost.then((r) => {
      abort.abort()
      return { lost: r.reason }
    })
    try {
      const outcome = await Promise.race([doTask(task, abort.signal).then((result) => ({ result })), lost])
      if ('lost' in outcome) return log('lease lost', { task: task.id, reason: outcome.lost })
      if (outcome.result === undefined || stopping.signal.aborted) {
        await agent.tasks.release(task.id).catch(() => {})
        return log('handed back', { task: task.id })
      }
      await agent.flushedIfOnline()
      await agent.tasks.complete(task.id, outcome.result)
      completed.push(task.id)
      agent.setStatus('idle', `completed task ${task.title}`)
      log('completed', { task: task.id, result: outcome.result })
    } catch (err) {
      if (err instanceof ApiRequestError) return log('completion refused', { task: task.id, code: err.code, message: err.message })
      agent.setStatus('error', `task ${task.title} failed: ${(err as Error).message}`)
      log('task failed', { task: task.id, error: (err as Error).message })
      if (agent.tasks.held().includes(task.id)) await agent.tasks.release(task.id).catch(() => {})
    } finally {
      stopping.signal.removeEventListener('abort', onStop)
    }
  }

  const done = (async () => {
    await agent.tasks.room.whenSynced()
    while (!stopping.signal.aborted) {
      const board = agent.tasks.board()
      const now = Date.now()
      if (opts.once && boardExhausted(board, now)) return
      const next = claimOrder(readyTasks(board, now), agent.principal.id)[0]
      if (!next) {
        agent.setStatus('idle', 'waiting for a task')
        await boardChanged()
        continue
      }
      await opts.beforeTask?.()
      if (stopping.signal.aborted) return
      const results = Object.fromEntries(board.filter((t) => next.dependsOn.includes(t.id)).map((t) => [t.id, t.result]))
      const before = completed.length
      try {
        await work({ id: next.id, title: next.title, description: next.description, dependsOn: next.dependsOn, dependencyResults: results })
      } catch (err) {
        // The server unreachable mid-claim, say: keep the worker alive and try again later.
        log('worker error', { task: next.id, error: (err as Error).message })
      }
      // Refused, handed back or failed: let the board move before trying again (no busy loop).
      if (completed.length === before) await boardChanged()
    }
  })()

  return {
    done,
    completed,
    stop: async () => {
      stopping.abort()
      await done.catch(() => {})
    },
  }
}
