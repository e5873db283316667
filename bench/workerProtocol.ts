// Commands the benchmark driver sends to its client worker processes, and their replies.

import type { Dialect } from './BenchClient.ts'

export interface ClientSpec {
  id: string
  url: string
  clientId: number
  dialect: Dialect
  /** false for writers that only ingest: incoming updates are not applied. */
  applyRemote: boolean
  /** Send after each incoming update the sync step 2 a probe would get (see BenchClientOptions). */
  answerUpdates?: boolean
}

/** Yjs client id → clock every reader must reach. */
export type Expected = Record<number, number>

export type Command =
  | { cmd: 'connect'; clients: ClientSpec[]; concurrency: number; timeoutMs: number }
  /** Each writer inserts `<clientId>:<n>:<send time>;` at `rate`/s until `durationMs` after `startAt`. */
  | { cmd: 'paced'; writers: string[]; rate: number; durationMs: number; startAt: number }
  /** Each writer sends `edits` single-character updates (prepared beforehand) at full speed, then acks. */
  | { cmd: 'burst'; writers: string[]; edits: number }
  /** Each listed client (or every applying client) inserts one short edit and acks it. */
  | { cmd: 'editOnce'; ids: string[] }
  | { cmd: 'waitFor'; expected: Expected; timeoutMs: number }
  | { cmd: 'digest' }
  | { cmd: 'closeAll' }

export interface ConnectResult {
  id: string
  ok: boolean
  error?: string
  connectMs: number
  bytes: number
}

export interface WriterResult {
  id: string
  clientId: number
  clock: number
  sent: number
  startedAt: number
  sentAt: number
  ackedAt: number
}

export interface WaitResult {
  id: string
  ok: boolean
  doneAt: number
  /** Delivery latencies (ms) of timestamped edits from other clients. */
  latencies: number[]
  deliveries: number
  firstRemoteAt: number
}

export interface Digest {
  id: string
  stateVector: string
  textHash: string
  length: number
}

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string }
