// Real Yjs updates for storage tests: a writer that records every update it produces,
// and a reader that rebuilds a document from what a backend loaded.

import * as Y from 'yjs'
import type { RoomState } from '../../server/storage/DocumentStorage.ts'
import type { NewUpdate } from '../../server/storage/validate.ts'

export class Writer {
  readonly doc = new Y.Doc()
  #pending: Uint8Array[] = []

  constructor(readonly principal: string) {
    this.doc.on('update', (u: Uint8Array) => this.#pending.push(u))
  }

  get text(): Y.Text {
    return this.doc.getText('body')
  }

  /** Inserts `s` at `index` (clamped) and returns the updates produced since the last call. */
  insert(s: string, index = this.text.length): NewUpdate[] {
    this.text.insert(Math.min(index, this.text.length), s)
    return this.take()
  }

  delete(index: number, length: number): NewUpdate[] {
    const start = Math.min(index, this.text.length)
    this.text.delete(start, Math.min(length, this.text.length - start))
    return this.take()
  }

  take(): NewUpdate[] {
    const out = this.#pending.map((data) => ({ principal: this.principal, clients: [this.doc.clientID], at: Date.now(), data }))
    this.#pending = []
    return out
  }

  /** The whole document state as one update, as a compactor would write it. */
  snapshot(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc)
  }
}

/** Applies a loaded RoomState to a fresh document and returns its text. */
export function textOf(state: RoomState): string {
  const doc = new Y.Doc()
  if (state.snapshot) Y.applyUpdate(doc, state.snapshot)
  for (const u of state.updates) Y.applyUpdate(doc, u.data)
  const text = doc.getText('body').toString()
  doc.destroy()
  return text
}

/** Merges a loaded RoomState into one snapshot update (what the server's compactor does). */
export function mergeState(state: RoomState): Uint8Array {
  const parts = state.snapshot ? [state.snapshot] : []
  return Y.mergeUpdates([...parts, ...state.updates.map((u) => u.data)])
}
