// Resource limits for the sync core. Defaults let a legitimate agent burst (10,000 small
// edits at once) through at full speed while a flooding socket gets its reads paused.

export interface Limits {
  /** Largest accepted WebSocket message, bytes (bigger: close 1009). */
  maxMessageBytes: number
  /** Token bucket per connection: message burst and steady rate. */
  messageBurst: number
  messagesPerSecond: number
  /** Token bucket per connection: byte burst and steady rate. */
  byteBurst: number
  bytesPerSecond: number
  /** Rooms one principal may have open at once (across its connections). */
  maxRoomsPerPrincipal: number
  /** Sockets one principal may have open at once, so no principal can take the whole maxConnections. */
  maxSocketsPerPrincipal: number
  /** Total sockets the server accepts. */
  maxConnections: number
  /** Bytes queued towards one slow reader before it is disconnected (it resyncs on reconnect). */
  maxBufferedBytes: number
  /** Bytes of updates with missing dependencies a room keeps pending before refusing more. */
  maxPendingBytesPerRoom: number
  /** Updates with missing dependencies a room keeps pending before refusing more. */
  maxPendingUpdatesPerRoom: number
  /** Messages buffered per connection while its room loads. */
  maxMessagesWhileLoading: number
  /** Updates queued for persistence in one room before the writers' reads are paused. */
  maxQueuedUpdatesPerRoom: number
  /** Bytes of updates queued in one room before the writers' reads are paused. */
  maxQueuedBytesPerRoom: number
  /**
   * Bytes of updates one durable batch takes from a room's queue (at least one update): the
   * rest waits a turn, so sockets drain between batches and no reader gets a whole flood at once.
   */
  maxBatchBytes: number
  /** An empty room stays loaded this long before it is unloaded. */
  idleRoomMs: number
  /** Sockets are pinged this often; one that missed the previous pong is cut. */
  pingIntervalMs: number
  /** A socket the server closed is cut this long after the close frame if the peer has not answered. */
  closeGraceMs: number
  /**
   * Every socket gets an empty awareness update this often. WebSocket pings never reach the
   * JavaScript of a browser, and the stock y-websocket provider closes a socket that received
   * no message for 30 s (`messageReconnectTimeout`): without this an idle tab alone in a room
   * would drop and reopen its socket every ~33 s and show itself offline.
   */
  keepAliveIntervalMs: number
}

export const DEFAULT_LIMITS: Limits = {
  maxMessageBytes: 4 * 1024 * 1024,
  messageBurst: 20_000,
  messagesPerSecond: 2_000,
  byteBurst: 32 * 1024 * 1024,
  bytesPerSecond: 8 * 1024 * 1024,
  maxRoomsPerPrincipal: 256,
  maxSocketsPerPrincipal: 32,
  maxConnections: 10_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxPendingBytesPerRoom: 4 * 1024 * 1024,
  maxPendingUpdatesPerRoom: 1_000,
  maxMessagesWhileLoading: 1_000,
  maxQueuedUpdatesPerRoom: 5_000,
  maxQueuedBytesPerRoom: 16 * 1024 * 1024,
  maxBatchBytes: 4 * 1024 * 1024,
  idleRoomMs: 30_000,
  pingIntervalMs: 30_000,
  closeGraceMs: 2_000,
  keepAliveIntervalMs: 10_000,
}
