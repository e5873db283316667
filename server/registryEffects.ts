// What a registry change means for open connections, applied in one place. Rights are decided
// when a socket or event stream opens, so a change that takes rights away closes the ones it
// affects (clients reconnect and are decided again). The registry announces every change it
// applies — written by this instance or replayed from another's — so a revocation on instance A
// closes the principal's sockets on instance B too. Routes no longer close anything themselves:
// they report what this subscriber closed for their own write (`take`).

import type { Registry, RegistryChange } from './registry/index.ts'
import type { SyncCore } from './core/SyncCore.ts'
import type { EventStreams } from './http/EventStreams.ts'
import { mayRead } from '../shared/access.ts'
import { namespaceOwnerOf, parseRoom } from '../shared/rooms.ts'
import { CLOSE } from '../shared/wire/index.ts'

export interface Closed {
  sockets: number
  streams: number
}

/** Counts kept for routes to report; changes from other instances are never taken, so bound them. */
const MAX_KEPT = 256

export class RegistryEffects {
  readonly #registry: Registry
  readonly #core: SyncCore
  readonly #streams: EventStreams
  readonly #kept = new Map<string, Closed>()

  constructor(deps: { registry: Registry; core: SyncCore; streams: EventStreams }) {
    this.#registry = deps.registry
    this.#core = deps.core
    this.#streams = deps.streams
    deps.registry.onChange((change) => this.#keep(change, this.apply(change)))
  }

  /** What the last such change closed on this instance (zero if it closed nothing or was already taken). */
  take(change: RegistryChange): Closed {
    const key = keyOf(change)
    const closed = this.#kept.get(key) ?? { sockets: 0, streams: 0 }
    this.#kept.delete(key)
    return closed
  }

  apply(change: RegistryChange): Closed {
    const core = this.#core
    const streams = this.#streams
    switch (change.kind) {
      case 'token': {
        const reason = `token ${change.why}`
        return {
          sockets: core.closeWhere((ctx) => ctx.principal === change.principal, CLOSE.unauthenticated, reason),
          streams: streams.closeWhere((s) => s.principal === change.principal, reason),
        }
      }
      case 'member': {
        const inWorkspace = (ctx: { principal: string; room: string }) => ctx.principal === change.principal && ctx.room.startsWith(`${change.workspace}/`)
        if (change.role !== null) return { sockets: core.closeWhere(inWorkspace, CLOSE.forbidden, 'your role changed; reconnect'), streams: 0 }
        return {
          sockets: core.closeWhere(inWorkspace, CLOSE.forbidden, 'removed from workspace'),
          streams: streams.closeWhere((s) => s.principal === change.principal && s.workspace === change.workspace, 'removed from workspace'),
        }
      }
      case 'submitted':
        // Withdrawn: readers who could see it (or its review room) only because it was submitted lose it now.
        if (change.submitted) return { sockets: 0, streams: 0 }
        return { sockets: this.#closeUnreadable(change.workspace, change.principal, `namespace ${change.principal} is hidden again until its owner submits`), streams: 0 }
      case 'visibility':
        return { sockets: this.#closeUnreadable(change.workspace, null, `workspace ${change.workspace} is now ${change.visibility}; reconnect`), streams: 0 }
    }
  }

  /** Closes sockets in `workspace` (namespaces of `owner`, or any) whose principal may no longer read their room. */
  #closeUnreadable(workspace: string, owner: string | null, reason: string): number {
    return this.#core.closeWhere(
      (ctx) => {
        const room = parseRoom(ctx.room)
        if (room === null || room.workspace !== workspace) return false
        if (owner !== null && namespaceOwnerOf(room) !== owner) return false
        return !mayRead(this.#registry, ctx.principal, room)
      },
      CLOSE.forbidden,
      reason,
    )
  }

  #keep(change: RegistryChange, closed: Closed): void {
    const key = keyOf(change)
    this.#kept.delete(key)
    this.#kept.set(key, closed)
    if (this.#kept.size > MAX_KEPT) this.#kept.delete(this.#kept.keys().next().value as string)
  }
}

function keyOf(change: RegistryChange): string {
  switch (change.kind) {
    case 'token':
      return `token:${change.principal}`
    case 'visibility':
      return `visibility:${change.workspace}`
    default:
      return `${change.kind}:${change.workspace}:${change.principal}`
  }
}
