// A room's awareness (cursors, presence, agent status) and who owns which awareness client id:
// a connection may only set or remove entries it owns, and its entries go when it leaves.
// Another connection of the same principal may take an entry over (a client reconnecting
// before its old socket was reaped keeps its client id); another principal may not.
// Every state that names a `user` is relayed with the identity the registry gives the
// connection (shared/presence: vouchPresence), never the one the client wrote.

import * as awarenessProtocol from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { encodeAwarenessEntries, parseAwarenessUpdate, vouchPresence, type AwarenessEntry } from '../../shared/presence/index.ts'
import type { Connection } from './Connection.ts'
import { awarenessMessage } from '../../shared/wire/index.ts'

/** Awareness client ids one connection may speak for (a tab or agent needs one). */
const MAX_AWARENESS_IDS = 8

/** Why an awareness update was refused whole: a metric reason and the message for the client. */
export interface AwarenessRefusal {
  reason: 'awareness_impersonation' | 'awareness_ids' | 'awareness_state'
  message: string
}

export class RoomPresence {
  /** Made when the first state arrives: most rooms never hear one (an Awareness is a timer and maps per room). */
  #awareness: awarenessProtocol.Awareness | null = null
  #owners = new Map<number, Connection>()
  #destroyed = false

  constructor(
    private readonly doc: Y.Doc,
    private readonly connections: () => Iterable<Connection>,
  ) {}

  get awareness(): awarenessProtocol.Awareness {
    if (this.#awareness) return this.#awareness
    const awareness = (this.#awareness = new awarenessProtocol.Awareness(this.doc))
    awareness.setLocalState(null) // the server itself has no presence
    awareness.on('update', this.#broadcast)
    // Asked for after the room closed: an empty one, without the timer a live one runs.
    if (this.#destroyed) awareness.destroy()
    return awareness
  }

  /** Every state the room holds, as one awareness message; null when it holds none. */
  statesMessage(): Uint8Array | null {
    const states = this.#awareness?.getStates()
    if (!states || states.size === 0) return null
    return awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.#awareness!, [...states.keys()]))
  }

  claim(conn: Connection, clientId: number): void {
    const previous = this.#owners.get(clientId)
    // Taken over: the old connection's departure must no longer remove the entry.
    if (previous && previous !== conn) previous.awarenessIds.delete(clientId)
    this.#owners.set(clientId, conn)
    conn.awarenessIds.add(clientId)
  }

  /**
   * Applies one connection's awareness update (throws if malformed). A refused update is
   * refused whole: nothing of it is applied.
   */
  receive(conn: Connection, update: Uint8Array): AwarenessRefusal | null {
    const accepted: AwarenessEntry[] = []
    const outdated: AwarenessEntry[] = []
    for (const entry of parseAwarenessUpdate(update)) {
      const { clientId } = entry
      const known = this.awareness.meta.get(clientId)?.clock ?? -1
      const owner = this.#owners.get(clientId)
      if (owner && owner !== conn && owner.ctx.principal !== conn.ctx.principal) {
        // Stock y-websocket clients echo every awareness change they receive. An echo carries
        // a clock we already have; only a newer clock would be someone speaking for another.
        if (entry.clock <= known) continue
        return { reason: 'awareness_impersonation', message: `awareness client ${clientId} belongs to another principal's connection` }
      }
      if (entry.state === null) {
        accepted.push(entry)
        continue
      }
      if (owner !== conn && conn.awarenessIds.size >= MAX_AWARENESS_IDS) {
        return { reason: 'awareness_ids', message: `too many awareness client ids on one connection (at most ${MAX_AWARENESS_IDS})` }
      }
      const vouched = vouchPresence(entry.state, { principal: conn.ctx.principal, kind: conn.ctx.principalKind, name: conn.ctx.principalName, color: conn.ctx.principalColor })
      if (!vouched.ok) return { reason: 'awareness_state', message: vouched.reason }
      if (!owner && entry.clock <= known && !this.awareness.states.has(clientId)) outdated.push({ clientId, clock: known, state: null })
      else accepted.push({ clientId, clock: entry.clock, state: vouched.state })
    }
    for (const { clientId, state } of accepted) if (state !== null) this.claim(conn, clientId)
    if (accepted.length > 0) awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(accepted), conn)
    // A state announced again with a clock its removal here already passed (a client back after
    // its old socket was reaped) would be ignored: tell the client of that removal, and
    // y-protocols clients re-announce their own state with a newer clock at once.
    if (outdated.length > 0) conn.send(awarenessMessage(encodeAwarenessEntries(outdated)))
    return null
  }

  /** Removes everything `conn` owned (it left) and tells the others. */
  release(conn: Connection): void {
    const owned = [...conn.awarenessIds]
    for (const id of owned) this.#owners.delete(id)
    if (owned.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, owned, null)
  }

  destroy(): void {
    this.#destroyed = true
    this.#awareness?.destroy()
  }

  #broadcast = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }): void => {
    const changed = added.concat(updated, removed)
    // A removed entry belongs to nobody, whoever removed it (its owner, another connection of
    // the same principal, the outdated-state timer).
    for (const id of removed) {
      this.#owners.get(id)?.awarenessIds.delete(id)
      this.#owners.delete(id)
    }
    const msg = awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed))
    for (const conn of this.connections()) conn.send(msg)
  }
}
