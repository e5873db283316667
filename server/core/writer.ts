// Who wrote an update and what they had seen: the one description of a write that the core's
// write path hands to a room extension (the conflict detector) and that the detector reads.

import type { TransactionOrigin } from '../../shared/origin.ts'

/** Sync step 2 carries everything a client knows; an update carries its own new writes. */
export type UpdateMessage = 'sync' | 'update'

export interface Writer {
  principal: string
  /**
   * The sender session: a connection's id, `server:<principal>` for writes the server makes,
   * `stored:<principal>` on replay. One delete stream per session. Default: the principal.
   */
  session?: string
  /**
   * 'update': an incremental update (y-websocket sync message type 2): deletions in it are the
   * sender's own local deletes. 'sync': a sync step 2 / full-state message, whose delete set is
   * everything the sender knows (relays included). Default 'update'.
   */
  message?: UpdateMessage
  /** A server write, made on a copy of the whole document: its writer had seen everything. */
  knowsAll?: boolean
  /** Replayed from the stored log at load (how a record arose: after a restart). */
  stored?: boolean
  /** Transaction origin for the apply (DESIGN: every transaction carries a typed origin). */
  origin?: TransactionOrigin
}

/**
 * What a writer had seen before its update, when its client says: MESSAGE_CAUSAL (state vector
 * and delete set), or for a sync reply the state vector the client sent in its own sync step 1.
 */
export interface CausalMeta {
  /** Y.encodeStateVector of the writer's doc before its first write in this update. */
  stateVector: Uint8Array
  /** The writer's delete set then, as Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc)). */
  deleteSet?: Uint8Array
  /** The writer's W3C trace context, when it is traced (server/telemetry/ingestSpans.ts). */
  traceparent?: string
}
