// Wire protocol: the standard y-websocket message types plus one opt-in extension.
//
// MESSAGE_PERSISTED (100) is Polyphony's own and is only ever sent to a connection that
// asked for it (query `?persisted=1`, or by sending one itself), so stock clients never see it.
//   client -> server: varUint requestId
//   server -> client: varUint requestId, varUint8Array stateVector
// The reply to a request means every message this connection sent before it is durable.
// After each persisted batch containing updates from an opted-in connection the server also
// sends requestId 0 (an unsolicited "persisted up to this state vector").

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3
export const MESSAGE_PERSISTED = 100
/**
 * Causal metadata (client -> server only, sent by Polyphony's own clients right before the
 * update of a local transaction): varUint8Array stateVector, varUint8Array deleteSet (an update
 * with no structs: Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc))), both as they were
 * before the transaction. Tells the conflict detector exactly what the writer had seen.
 */
export const MESSAGE_CAUSAL = 101

/** WebSocket close codes the server uses. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
  unauthenticated: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooManyRooms: 4429,
  /** Same code as tooManyRooms: a per-principal or per-address cap (sockets, failed sign-ins). */
  tooManyRequests: 4429,
  slowReader: 4508, // 45xx: transient, stock clients reconnect and resync
} as const

export const PERSISTED_QUERY_PARAM = 'persisted'
