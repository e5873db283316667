// What a connection and its room's write queue say to each other: the connection offers each
// update once (WriteQueue.offer) and is told queued, pause, skipped or refused.

import type { CausalMeta, UpdateMessage } from './writer.ts'

/** The connection an update came from, as the queue needs it (Connection implements it). */
export interface Sender {
  readonly id: number
  readonly ctx: { readonly principal: string; readonly canWrite: boolean; readonly wantsPersisted: boolean }
  send(data: Uint8Array): void
  close(code: number, reason: string): void
  /** The answer to its oldest probe was counted, in order with its updates. */
  probeAnswered(): void
  /** The queue drained after it was told to pause: reads may resume. */
  roomDrained(): void
}

/** How a connection offers one update (y-websocket sync step 2 or update message). */
export interface Offered {
  message: UpdateMessage
  causal?: CausalMeta
  /** A sync reply answering the sender's oldest probe: counted as seen after the update. */
  answersProbe: boolean
  /**
   * A probe's answer after the opening exchange: y-websocket sends its own changes as updates, so
   * this only echoes what the room has or holds pending. With missing dependencies (Yjs puts
   * pending structs and deletions in every sync step 2 it sends) or with nothing the room lacks
   * (its whole delete set, which every step 2 carries, already applied) dropping it loses
   * nothing; stored, it would be the sender's write in the history and the detector.
   */
  mayEcho: boolean
}

export type Refusal = {
  kind: 'refused'
  reason: 'malformed' | 'read_only' | 'pending_overflow' | 'client_id_taken'
  /** For the client: what was refused and how to fix it. */
  message: string
}

export type Offer =
  /** Queued: stored, applied and broadcast in the next batch. */
  | { kind: 'queued' }
  /** Queued, and the room's queue is over its bound: stop reading until roomDrained(). */
  | { kind: 'pause' }
  /** Nothing to store (empty, or an echo): a probe it answers still counts, in order. */
  | { kind: 'skipped' }
  | Refusal
