// What changed in the workspace since a cursor, for `wait_for_changes`: model clients rarely
// surface push notifications, so they long-poll. A cursor names a snapshot this session keeps
// (bounded), so cursors stay short whatever the workspace size; an unknown cursor (another
// session, a restart) reports everything as new.

import type { Agent } from '../sdk/Agent.ts'
import { textHash } from './version.ts'
import type { ReadableNamespaces } from './readableNamespaces.ts'

export interface Snapshot {
  docs: Map<string, string>
  titles: Map<string, string>
  /** `owner/map:key` of every annotation, proposal and note in the namespaces this session reads. */
  readings: Set<string>
  conflicts: Set<string>
  tasks: Map<string, string>
}

export interface Changes {
  documents: string[]
  removedDocuments: string[]
  renamed: string[]
  /** New annotations, proposals and notes: `owner/annotations:id` etc. */
  readings: string[]
  conflicts: { opened: string[]; closed: string[] }
  tasks: string[]
}

export async function takeSnapshot(agent: Agent, others: ReadableNamespaces): Promise<Snapshot> {
  // Newly readable namespaces are read in full before they count, so their old items are not "new".
  const [conflicts, tasks] = await Promise.all([agent.conflicts({ status: 'open' }), agent.tasks.list(), others.refresh()])
  const docs = new Map<string, string>()
  const titles = new Map<string, string>()
  for (const d of agent.documentList()) {
    docs.set(d.id, textHash(agent.read(d.id)))
    titles.set(d.id, d.title)
  }
  const readings = new Set<string>(others.keys())
  for (const map of ['annotations', 'proposals', 'notes']) agent.namespace.getMap(map).forEach((_v, key) => readings.add(`${agent.principal.id}/${map}:${key}`))
  return {
    docs,
    titles,
    readings,
    conflicts: new Set(conflicts.map((c) => c.id)),
    tasks: new Map(tasks.map((t) => [t.id, `${t.status}:${t.owner ?? ''}:${t.fencingToken}`])),
  }
}

export function diff(before: Snapshot | undefined, now: Snapshot): Changes {
  const b = before ?? { docs: new Map(), titles: new Map(), readings: new Set(), conflicts: new Set(), tasks: new Map() }
  return {
    documents: [...now.docs].filter(([id, h]) => b.docs.get(id) !== h).map(([id]) => id),
    removedDocuments: [...b.docs.keys()].filter((id) => !now.docs.has(id)),
    renamed: [...now.titles].filter(([id, t]) => b.titles.has(id) && b.titles.get(id) !== t).map(([id]) => id),
    readings: [...now.readings].filter((k) => !b.readings.has(k)),
    conflicts: { opened: [...now.conflicts].filter((id) => !b.conflicts.has(id)), closed: [...b.conflicts].filter((id) => !now.conflicts.has(id)) },
    tasks: [...now.tasks].filter(([id, v]) => b.tasks.get(id) !== v).map(([id]) => id),
  }
}

export function isEmpty(c: Changes): boolean {
  return c.documents.length + c.removedDocuments.length + c.renamed.length + c.readings.length + c.conflicts.opened.length + c.conflicts.closed.length + c.tasks.length === 0
}

const MAX_CURSORS = 16
const POLL_MS = 1000

/** Snapshots by cursor for one session, oldest dropped first. */
export class ChangeCursors {
  #next = 1
  #kept = new Map<string, Snapshot>()

  get(cursor: string | undefined): Snapshot | undefined {
    return cursor === undefined ? undefined : this.#kept.get(cursor)
  }

  keep(s: Snapshot): string {
    const cursor = `c${this.#next++}`
    this.#kept.set(cursor, s)
    while (this.#kept.size > MAX_CURSORS) this.#kept.delete(this.#kept.keys().next().value as string)
    return cursor
  }
}

/**
 * Resolves with the changes since `before` as soon as there are any, or empty at the deadline.
 * Shared-text and namespace updates wake it at once; conflicts and tasks (server state) are
 * polled every second.
 */
export async function waitForChanges(
  agent: Agent,
  others: ReadableNamespaces,
  before: Snapshot | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ now: Snapshot; changes: Changes }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const now = await takeSnapshot(agent, others)
    const changes = diff(before, now)
    if (!isEmpty(changes) || before === undefined || Date.now() >= deadline || signal.aborted) return { now, changes }
    await nextWake(agent, others, Math.min(POLL_MS, deadline - Date.now()), signal)
  }
}

function nextWake(agent: Agent, others: ReadableNamespaces, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      unsubscribe()
      agent.shared.off('update', done)
      agent.namespace.off('update', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, ms))
    const unsubscribe = others.onUpdate(done)
    agent.shared.on('update', done)
    agent.namespace.on('update', done)
    signal.addEventListener('abort', done)
  })
}
