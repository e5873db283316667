// Who is here: awareness states of the shared room, in the convention people and agents
// share (`user`, `status`, `doc`). `user.name/color/colorLight` also drive remote cursors.

import { createSubscriber } from 'svelte/reactivity'
import type { Awareness } from 'y-protocols/awareness'

export type AgentState = 'idle' | 'reading' | 'thinking' | 'writing' | 'error' | 'paused'

export interface AwarenessUser {
  name: string
  color: string
  colorLight: string
  kind: 'human' | 'agent'
  principal: string
  role?: string
}

export interface AwarenessState {
  user?: AwarenessUser
  status?: { state: AgentState; detail?: string }
  doc?: string
}

export interface Participant {
  clientId: number
  self: boolean
  user: AwarenessUser
  status: AwarenessState['status'] | null
  doc: string | null
}

/** Well-formed participants, people first, then by name. */
export function participants(states: Map<number, Record<string, unknown>>, selfId: number): Participant[] {
  const list: Participant[] = []
  for (const [clientId, raw] of states) {
    const state = raw as AwarenessState
    if (!state.user || typeof state.user.name !== 'string') continue
    list.push({ clientId, self: clientId === selfId, user: state.user, status: state.status ?? null, doc: state.doc ?? null })
  }
  return list.sort(
    (a, b) => Number(a.user.kind === 'agent') - Number(b.user.kind === 'agent') || a.user.name.localeCompare(b.user.name) || a.clientId - b.clientId,
  )
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

  setUser(user: AwarenessUser): void {
    this.#awareness.setLocalStateField('user', user)
  }

  setDoc(doc: string | null): void {
    this.#awareness.setLocalStateField('doc', doc ?? undefined)
  }

  setStatus(state: AgentState, detail?: string): void {
    this.#awareness.setLocalStateField('status', detail ? { state, detail } : { state })
  }
}
