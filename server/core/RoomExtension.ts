// What a feature may add to a room without the core knowing it: the conflict detector
// integrates updates itself and needs to know what each connection was sent.

import type * as Y from 'yjs'
import type { TransactionOrigin } from '../../shared/origin.ts'
import type { RoomState } from '../storage/DocumentStorage.ts'
import type { Connection } from './Connection.ts'

/** Sync step 2 carries everything a client knows; an update carries its own new writes. */
export type UpdateMessage = 'sync' | 'update'

/**
 * What a writer had seen before its update, when its client says: MESSAGE_CAUSAL (state vector
 * and delete set), or for a sync reply the state vector the client sent in its own sync step 1.
 */
export interface CausalMeta {
  stateVector: Uint8Array
  deleteSet?: Uint8Array
  /** The writer's W3C trace context, when it is traced (server/telemetry/ingestSpans.ts). */
  traceparent?: string
}

export interface UpdateWriter {
  principal: string
  /** The connection's id, or `server:<principal>` for writes the server makes. */
  session: string
  message: UpdateMessage
  /** A server write, made on a copy of the whole document: its writer had seen everything. */
  knowsAll?: boolean
  origin: TransactionOrigin
}

export interface RoomExtension {
  /** Garbage collection for the room's document (history-keeping features need it off). */
  readonly gc: boolean
  /** Applies the stored state at load. */
  load(doc: Y.Doc, state: RoomState): void
  /** Applies one accepted, already stored update to `doc` (must apply it or throw). */
  integrate(doc: Y.Doc, update: Uint8Array, writer: UpdateWriter, causal?: CausalMeta): void
  /** Everything integrated so far has been sent to `session` (a connection id). Sent, not yet seen. */
  delivered(session: string, principal: string): void
  /** Wants proof that `session` integrated what it was sent (see Connection.probe); false: no probes. */
  readonly wantsAcks: boolean
  /** A probe (sync step 1) went to `session` after its latest delivery. */
  probed(session: string): void
  /** `session` answered its oldest probe (in order with its updates). */
  acknowledged(session: string, principal: string): void
  connectionClosed(conn: Connection): void
  /** The room is unloading. */
  destroy(): void
}
