// Who is here: awareness states of the shared room, in the convention people and agents
// share (shared/presence: `user`, `status`, `doc`). `user.name/color/colorLight` also drive
// remote cursors. Peer states were already reduced to checked fields when they arrived
// (room.svelte.ts); `participants` checks again, since it is what the panels render.

import { createSubscriber } from 'svelte/reactivity'
import type { Awareness } from 'y-protocols/awareness'
import { readPresence, type AgentState, type PresenceState, type PresenceUser } from '../../../shared/presence/index.ts'

export interface Participant {
  clientId: number
  self: boolean
  user: PresenceUser
  status: PresenceState['status'] | null
  doc: string | null
}

/** Well-formed participants, people first, then by name. */
export function participants(states: Map<number, Record<string, unknown>>, selfId: number): Participant[] {
  const list: Participant[] = []
  for (const [clientId, raw] of states) {
    const state = readPresence(raw)
    if (!state?.user) continue
    list.push({ clientId, self: clientId === selfId, user: state.user, status: state.status ?? null, doc: state.doc ?? null })
  }
  return list.sort((a, b) => Number(a.user.kind !== 'human') - Number(b.user.kind !== 'human') || a.user.name.localeCompare(b.user.name) || a.clientId - b.clientId)
}

export class Presence {
  readonly #awareness: Awareness
  readonly #subscribe: () => void

  constructor(awareness: Awareness) {
    this.#awareness = awareness
    this.#subscribe = createSubscriber((update) => {
      this.#awareness.on('change', update)
      return () => this.#awareness.off('change', update)
    })
  }

  get list(): Participant[] {
    this.#subscribe()
    return participants(this.#awareness.getStates(), this.#awareness.clientID)
  }

  setUser(user: PresenceUser): void {
    this.#awareness.setLocalStateField('user', user)
  }

  setDoc(doc: string | null): void {
    this.#awareness.setLocalStateField('doc', doc ?? undefined)
  }

  setStatus(state: AgentState, detail?: string): void {
    this.#awareness.setLocalStateField('status', detail ? { state, detail } : { state })
  }
}
