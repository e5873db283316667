// Message type numbers on a Polyphony socket: the standard y-websocket types plus two of our own.
//
// MESSAGE_PERSISTED (100) is only ever sent to a connection that asked for it (query
// `?persisted=1`, or by sending one itself), so stock clients never see it.
//   client -> server: varUint requestId
//   server -> client: varUint requestId, varUint8Array stateVector
// The reply to a request means every message this connection sent before it is durable.
// After each persisted batch containing updates from an opted-in connection the server also
// sends requestId 0 (an unsolicited "persisted up to this state vector").
//
// MESSAGE_CAUSAL (101) is client -> server only, sent by Polyphony's own clients right before
// the update of a local transaction: varUint8Array stateVector, varUint8Array deleteSet (an
// update with no structs), both as they were before the transaction. Tells the conflict
// detector exactly what the writer had seen.

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3
export const MESSAGE_PERSISTED = 100
export const MESSAGE_CAUSAL = 101

/** Query parameter (value `1`) asking for MESSAGE_PERSISTED acknowledgements from the start. */
export const PERSISTED_QUERY_PARAM = 'persisted'
