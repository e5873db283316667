// The one save status a person reads: "Saving…" / "All changes saved" / "Offline …".
// The raw connection state flips on every keystroke (sent, acknowledged) and on every
// reconnect; shown as is it flickers and cries "offline" for a socket that reopens in a second.
// So: "Saving…" shows at once, "All changes saved" only once it has held for a moment, and
// "Offline" at once only when the browser itself says it has no network, otherwise only after
// the connection has been gone for a while.

import type { ConnectionState } from './room.svelte.ts'

export interface ConnectionSummary {
  state: ConnectionState
  /** Local changes (clock units) not yet known durable on the server. */
  pending: number
  /** Edits made in this tab not yet saved on the server. */
  edits: number
  /** Changes not yet written to this browser's storage. */
  unsavedLocally: number
  browserOnline: boolean
}

export type StatusPhase = 'connecting' | 'saving' | 'saved' | 'offline' | 'stopped'

export interface SaveStatusTiming {
  /** How long "saved" must hold before it is shown. */
  settleMs: number
  /** How long a lost connection may take to come back before it is called offline. */
  offlineGraceMs: number
}

export const DEFAULT_TIMING: SaveStatusTiming = { settleMs: 1_000, offlineGraceMs: 5_000 }

/** The phase the raw state asks for, given what is shown now. */
function wanted(summary: ConnectionSummary, shown: StatusPhase): StatusPhase {
  switch (summary.state) {
    case 'stopped':
      return 'stopped'
    case 'offline':
    case 'connecting':
      return 'offline'
    case 'syncing':
      // Catching up after (re)connecting without own changes is not saving anything.
      if (summary.pending > 0) return 'saving'
      return shown === 'offline' ? 'connecting' : shown
    case 'saved':
      return 'saved'
  }
}

export class SaveStatus {
  readonly #timing: SaveStatusTiming
  #phase = $state<StatusPhase>('connecting')
  #timer: ReturnType<typeof setTimeout> | null = null
  #target: StatusPhase | null = null

  constructor(timing: SaveStatusTiming = DEFAULT_TIMING) {
    this.#timing = timing
  }

  get phase(): StatusPhase {
    return this.#phase
  }

  /** Feed the current raw state (from an effect); the shown phase follows with the delays above. */
  observe(summary: ConnectionSummary): void {
    const target = wanted(summary, this.#phase)
    if (target === this.#phase) return this.#cancel()
    const delay = this.#delayTo(target, summary)
    if (delay === 0) {
      this.#cancel()
      this.#phase = target
      return
    }
    if (this.#target === target) return // already waiting for it
    this.#cancel()
    this.#target = target
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#target = null
      this.#phase = target
    }, delay)
  }

  destroy(): void {
    this.#cancel()
  }

  #delayTo(target: StatusPhase, summary: ConnectionSummary): number {
    if (target === 'saved') return this.#phase === 'connecting' ? 0 : this.#timing.settleMs
    if (target === 'offline') return summary.browserOnline ? this.#timing.offlineGraceMs : 0
    return 0
  }

  #cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#target = null
  }
}

const edits = (n: number): string => `${n} edit${n === 1 ? '' : 's'}`

/** The words for a phase. */
export function statusLabel(phase: StatusPhase, summary: ConnectionSummary): string {
  switch (phase) {
    case 'connecting':
      return 'Connecting…'
    case 'saving':
      return 'Saving…'
    case 'saved':
      return 'All changes saved'
    case 'offline':
      if (summary.unsavedLocally > 0) return 'Offline · keeping your edits in this browser…'
      if (summary.edits > 0) return `Offline · ${edits(summary.edits)} not yet saved, kept in this browser`
      if (summary.pending > 0) return 'Offline · edits not yet saved, kept in this browser'
      return 'Offline · you can keep working'
    case 'stopped':
      return 'Disconnected · see the message above'
  }
}
