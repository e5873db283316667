// Reviews every shared document once, then again whenever one changes (debounced), until
// stopped. Used by the CLI, the team supervisor and the demo.

import * as Y from 'yjs'
import type { Agent } from '../sdk/Agent.ts'
import { titleOf } from '../../shared/documents.ts'

export interface WatchOptions {
  /** Only these documents, by id or title (default: all, including ones created later). */
  docs?: string[]
  /** Quiet time after the last change before a document is reviewed again. */
  debounceMs?: number
  onError?: (err: unknown, doc: string) => void
}

export interface WatchLoop {
  /** Resolves when the current review (if any) has finished and the loop has stopped. */
  stop(): Promise<void>
  /** Resolves when no review is pending or running. */
  idle(): Promise<void>
}

export function watchDocuments(agent: Agent, review: (doc: string) => Promise<unknown>, opts: WatchOptions = {}): WatchLoop {
  const debounceMs = opts.debounceMs ?? 1500
  // Titles are resolved to ids now, so a document stays watched after a rename; a title that
  // names no document yet matches one created later under it.
  const chosen = new Set(opts.docs?.map((d) => agent.documentIdIfAny(d) ?? d))
  const wanted = (doc: string) => !opts.docs || chosen.has(doc) || chosen.has(titleOf(agent.shared, doc))
  const timers = new Map<string, NodeJS.Timeout>()
  const dirty = new Set<string>()
  let running: Promise<void> = Promise.resolve()
  let stopped = false

  const runNext = (doc: string) => {
    running = running.then(async () => {
      if (stopped || !dirty.delete(doc)) return
      try {
        await review(doc)
      } catch (err) {
        agent.setStatus('error', `review of ${doc} failed: ${(err as Error).message}`, doc)
        opts.onError?.(err, doc)
      }
    })
  }
  const schedule = (doc: string, delay: number) => {
    if (stopped || !wanted(doc)) return
    dirty.add(doc)
    clearTimeout(timers.get(doc))
    timers.set(
      doc,
      setTimeout(() => runNext(doc), delay),
    )
  }
  const docs = agent.shared.getMap('docs')
  const onChange = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>, txn: Y.Transaction) => {
    // Our own edits do not ask for another review of the same text.
    if (txn.local) return
    for (const e of events) {
      if (e.target === docs) {
        for (const key of e.changes.keys.keys()) if (docs.has(key)) schedule(key, debounceMs)
      } else {
        const name = [...docs.entries()].find(([, v]) => v === e.target)?.[0]
        if (name) schedule(name, debounceMs)
      }
    }
  }
  docs.observeDeep(onChange)
  for (const doc of agent.documents()) schedule(doc, 0)

  return {
    stop: async () => {
      stopped = true
      docs.unobserveDeep(onChange)
      for (const t of timers.values()) clearTimeout(t)
      await running
    },
    idle: async () => {
      // Reviews are chained on `running`; a change arriving meanwhile re-marks its doc dirty.
      for (;;) {
        await running
        if (dirty.size === 0) return
        await new Promise((r) => setTimeout(r, debounceMs))
      }
    },
  }
}
