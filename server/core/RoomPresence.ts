// A room's awareness (cursors, presence, agent status) and who owns which awareness client id:
// a connection may only set or remove entries it owns, and its entries go when it leaves.

import * as awarenessProtocol from 'y-protocols/awareness'
import type * as Y from 'yjs'
import type { Connection } from './Connection.ts'
import { awarenessMessage } from './messages.ts'

export class RoomPresence {
  readonly awareness: awarenessProtocol.Awareness
  #owners = new Map<number, Connection>()

  constructor(
    doc: Y.Doc,
    private readonly connections: () => Iterable<Connection>,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc)
    this.awareness.setLocalState(null) // the server itself has no presence
    this.awareness.on('update', this.#broadcast)
  }

  /** Which connection owns an awareness client id. */
  ownerOf(clientId: number): Connection | undefined {
    return this.#owners.get(clientId)
  }

  claim(conn: Connection, clientId: number): void {
    this.#owners.set(clientId, conn)
    conn.awarenessIds.add(clientId)
  }

  /** Removes everything `conn` owned (it left) and tells the others. */
  release(conn: Connection): void {
    const owned = [...conn.awarenessIds]
    for (const id of owned) this.#owners.delete(id)
    if (owned.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, owned, null)
  }

  destroy(): void {
    this.awareness.destroy()
  }

  #broadcast = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    const changed = added.concat(updated, removed)
    for (const id of removed) {
      const owner = this.#owners.get(id)
      if (owner && owner === origin) {
        this.#owners.delete(id)
        owner.awarenessIds.delete(id)
      }
    }
    const msg = awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed))
    for (const conn of this.connections()) conn.send(msg)
  }
}
