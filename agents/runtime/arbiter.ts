// The arbiter loop: watches the workspace's open conflicts (the server's event stream, and a
// listing on every (re)connect for what came meanwhile) and, for each conflict it has not yet
// judged in its present form, asks `arbitrate` for a proposal, which it submits. One conflict at
// a time; a conflict a party joins since is judged again (the new proposal replaces the old).

import type { Agent } from '../sdk/Agent.ts'
import { canonicalJson, type ConflictRecord } from '../../shared/conflicts/index.ts'
import type { ConflictFollower } from '../sdk/conflictEvents.ts'

/** Proposes a resolution of `record` (submitting it itself), or decides to leave it. */
export type Arbitrate = (record: ConflictRecord, signal: AbortSignal) => Promise<void>

export interface ArbiterOptions {
  /** Judge the open conflicts once and finish (no event stream). */
  once?: boolean
  /** Conflicts waiting to be judged at most (the oldest are judged first; more wait for the next listing). */
  maxQueued?: number
  log?: (msg: string, fields?: Record<string, unknown>) => void
}

export interface ArbiterLoop {
  /** Resolves when nothing waits to be judged (after the first listing). */
  idle(): Promise<void>
  stop(): Promise<void>
  /** Conflicts judged so far. */
  readonly judged: number
}

const DEFAULT_MAX_QUEUED = 1_000

/** The form of a conflict a proposal was made for: its parties and their values. */
function formOf(record: ConflictRecord): string {
  return canonicalJson(record.parties.map((p) => [p.principal, p.value, p.deleted ?? false]))
}

export function runArbiter(agent: Agent, arbitrate: Arbitrate, options: ArbiterOptions = {}): ArbiterLoop {
  const log = options.log ?? (() => {})
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED
  const stopping = new AbortController()
  const judgedForm = new Map<string, string>()
  const queue = new Map<string, ConflictRecord>()
  let judged = 0
  let listed = false
  let working: Promise<void> | null = null
  let idleWaiters: Array<() => void> = []
  let follower: ConflictFollower | null = null

  const mine = (r: ConflictRecord) => r.proposals?.find((p) => p.by === agent.principal.id)

  function offer(record: ConflictRecord): void {
    if (stopping.signal.aborted || record.status !== 'open') {
      queue.delete(record.id)
      return
    }
    const form = formOf(record)
    // Judged in this form already (by this run, or a proposal of ours made after the last party joined).
    if (judgedForm.get(record.id) === form) return
    const own = mine(record)
    if (own && own.at >= (record.updatedAt ?? record.detectedAt)) {
      judgedForm.set(record.id, form)
      return
    }
    if (!queue.has(record.id) && queue.size >= maxQueued) return
    queue.set(record.id, record)
    drain()
  }

  function drain(): void {
    working ??= (async () => {
      for (const [id, record] of queue) {
        if (stopping.signal.aborted) break
        queue.delete(id)
        try {
          await arbitrate(record, stopping.signal)
          judgedForm.set(id, formOf(record))
          judged++
        } catch (err) {
          log('arbitration failed', { conflict: id, error: (err as Error).message })
          judgedForm.set(id, formOf(record)) // not retried until it changes: a broken one must not loop
        }
      }
    })().finally(() => {
      working = null
      if (queue.size > 0 && !stopping.signal.aborted) return drain()
      if (listed) for (const w of idleWaiters.splice(0)) w()
    })
  }

  async function listOpen(): Promise<void> {
    try {
      for (const record of await agent.conflicts({ status: 'open', max: maxQueued })) offer(record)
    } catch (err) {
      log('listing conflicts failed', { error: (err as Error).message })
    }
    listed = true
    if (working === null) for (const w of idleWaiters.splice(0)) w()
  }

  if (options.once) void listOpen()
  else {
    follower = agent.followConflicts(offer, () => void listOpen())
  }

  return {
    idle: () => (listed && working === null && queue.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    async stop() {
      stopping.abort()
      follower?.stop()
      queue.clear()
      await working
      for (const w of idleWaiters.splice(0)) w()
    },
    get judged() {
      return judged
    },
  }
}
