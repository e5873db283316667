// What the gauges read from the sync core at scrape time (SyncCore.load, ServerMetrics.observe).
/** Sums over loaded rooms and open sockets (see SyncCore.load). */
export interface CoreLoad {
  queuedUpdates: number
  queuedBytes: number
  /** The longest write queue of one room. */
  deepestQueue: number
  /** Updates held for missing dependencies, and their bytes. */
  pendingUpdates: number
  pendingBytes: number
  sendBufferBytes: number
  pausedSockets: number
}
