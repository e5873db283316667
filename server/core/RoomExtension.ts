// What a feature may add to a room without the core knowing it: the conflict detector
// integrates updates itself and needs to know what each session (connection) was sent.
// Extensions see sessions by id: they never hold a connection.

import type * as Y from 'yjs'
import type { RoomState } from '../storage/DocumentStorage.ts'
import type { CausalMeta, Writer } from './writer.ts'

export interface RoomExtension {
  /** Garbage collection for the room's document (history-keeping features need it off). */
  readonly gc: boolean
  /** Applies the stored state at load (the room serves once it resolves). */
  load(doc: Y.Doc, state: RoomState): void | Promise<void>
  /**
   * Applies one accepted, already stored update to `doc` (must apply it or throw), in a
   * transaction whose origin is `writer.origin`: the room broadcasts nothing else.
   */
  integrate(doc: Y.Doc, update: Uint8Array, writer: Writer, causal?: CausalMeta): void
  /** Everything integrated so far has been sent to `session` (a connection id). Sent, not yet seen. */
  delivered(session: string, principal: string): void
  /** Wants proof that `session` integrated what it was sent (see Connection.probe); false: no probes. */
  readonly wantsAcks: boolean
  /** A probe (sync step 1) went to `session` after its latest delivery. */
  probed(session: string): void
  /** `session` answered its oldest probe (in order with its updates). */
  acknowledged(session: string, principal: string): void
  /** `session` closed; told after every update it had queued (in order with them). */
  sessionClosed(session: string, principal: string): void
  /**
   * Durable state the extension wrote while integrating that is not committed yet (conflict
   * records the detector found, client owners it learned), or null: no acknowledgement is sent,
   * and the room does not compact, before it resolves.
   */
  unsettled?(): Promise<void> | null
  /** The room is unloading. */
  destroy(): void
}
