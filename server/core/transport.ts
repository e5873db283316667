// What the core needs from a socket. The ws adapter implements it; tests and benchmarks
// can implement it in-process.

import type { PrincipalKind } from '../../shared/model.ts'

export interface Transport {
  send(data: Uint8Array): void
  close(code: number, reason: string): void
  /** Bytes accepted by send() but not yet written to the network. */
  bufferedAmount(): number
  /** Stop / restart delivering incoming messages (flow control). */
  pause(): void
  resume(): void
}

/** Identity and rights of a connection, decided before the core sees it. */
export interface ConnectionContext {
  principal: string
  /** From the registry: what presence in awareness says about this connection. */
  principalKind: PrincipalKind
  principalName: string
  /** From the registry: the colour the workspace gave this member (else presence keeps a valid announced one). */
  principalColor?: string
  room: string
  canWrite: boolean
  /** Client asked for MESSAGE_PERSISTED acknowledgements. */
  wantsPersisted: boolean
}
