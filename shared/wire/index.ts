// The wire protocol of a Polyphony socket, one module for the server, the SDK, the browser,
// the bench and the tests: message types, frame encoders and decoders, and which close codes
// end retrying. Start at messageTypes.ts.
export { MESSAGE_SYNC, MESSAGE_AWARENESS, MESSAGE_AUTH, MESSAGE_QUERY_AWARENESS, MESSAGE_PERSISTED, MESSAGE_CAUSAL, PERSISTED_QUERY_PARAM } from './messageTypes.ts'
export { CLOSE, isFinalClose } from './closeCodes.ts'
export { syncMessage, syncStep1Message, syncStep2Message, updateMessage, readSync, type SyncFrame } from './sync.ts'
export { awarenessMessage, KEEP_ALIVE_MESSAGE } from './awareness.ts'
export { permissionDeniedMessage, readPermissionDenied } from './auth.ts'
export { persistedRequest, persistedMessage, readPersistedRequest, readPersistedReply, type PersistedReply } from './persisted.ts'
export { causalMessage, readCausal, sendCausalMetadata, type CausalFrame } from './causal.ts'
