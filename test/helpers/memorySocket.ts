// Two ends of a fake socket, in process: the server end implements the core's Transport
// (server/core/transport.ts), the client end is driven by a test. Nothing moves by itself:
// frames wait in each direction until the test delivers them (all, or a few to interleave),
// like tldraw's TestSocketPair. Ordered like a TCP stream: a close is delivered after the
// frames sent before it, and a paused server end reads nothing until resumed.

import type { Connection } from '../../server/core/Connection.ts'
import type { Transport } from '../../server/core/transport.ts'

export interface CloseEvent {
  code: number
  reason: string
}

export interface ClientEnd {
  /** A frame from the server reached the client. */
  message(data: Uint8Array): void
  /** The server closed the socket (after every frame it sent before). */
  closed(event: CloseEvent): void
}

/** Bytes in flight that bufferedAmount() does not count (a modest kernel socket buffer). */
export const KERNEL_BYTES = 64 * 1024

export class MemorySocket {
  /** Client → server frames not read yet. */
  readonly toServer: Uint8Array[] = []
  /** Server → client frames not delivered yet. */
  readonly toClient: Uint8Array[] = []
  /** The core's connection on the server end (set by whoever calls SyncCore.connect). */
  conn: Connection | null = null
  /** The server closed (the close reaches the client after toClient). */
  serverClose: CloseEvent | null = null
  /** The client stopped reading (a slow reader): server frames pile up in bufferedAmount(). */
  clientStalled = false
  #serverPaused = false
  #clientClosing = false
  #clientToldClose = false
  #serverToldClose = false

  /**
   * `kernelBytes`: what the network holds before bufferedAmount() counts anything, as the
   * kernel's socket buffers do for ws (a frame sent to a reading peer is not "buffered").
   */
  constructor(
    private readonly client: ClientEnd,
    private readonly kernelBytes = KERNEL_BYTES,
  ) {}

  /** What the core sees. */
  readonly transport: Transport = {
    send: (data) => {
      if (!this.serverClose) this.toClient.push(data)
    },
    close: (code, reason) => {
      if (this.serverClose) return
      this.serverClose = { code, reason }
      // The server reads nothing after its close.
      this.toServer.length = 0
    },
    bufferedAmount: () => Math.max(0, this.toClient.reduce((n, f) => n + f.length, 0) - this.kernelBytes),
    pause: () => (this.#serverPaused = true),
    resume: () => (this.#serverPaused = false),
  }

  get serverPaused(): boolean {
    return this.#serverPaused
  }

  /** Neither end will hear anything more. */
  get finished(): boolean {
    const clientDone = this.#clientToldClose || (this.#clientClosing && this.toClient.length === 0)
    const serverDone = this.#serverToldClose || this.serverClose !== null
    return clientDone && serverDone && this.toServer.length === 0
  }

  /** Whether the client end may still send (it has not closed and has not been told of a close). */
  get clientOpen(): boolean {
    return !this.#clientClosing && !this.#clientToldClose
  }

  /** The client sends a frame (dropped once either end closed). */
  send(data: Uint8Array): void {
    if (this.clientOpen && !this.serverClose) this.toServer.push(data)
  }

  /** The client closes: the server hears it after the frames sent before. */
  close(): void {
    this.#clientClosing = true
    this.toClient.length = 0
  }

  /** Delivers up to `max` client frames to the server, then the client's close if it was last. Returns frames moved. */
  deliverToServer(max = Infinity): number {
    let moved = 0
    while (moved < max && this.toServer.length > 0 && !this.#serverPaused && !this.serverClose) {
      const frame = this.toServer.shift()!
      moved++
      this.conn?.receive(frame)
    }
    if (this.#clientClosing && this.toServer.length === 0 && !this.#serverToldClose && this.conn) {
      this.#serverToldClose = true
      this.conn.closedByPeer()
      moved++
    }
    return moved
  }

  /** Delivers up to `max` server frames to the client, then the server's close if it was last. Returns frames moved. */
  deliverToClient(max = Infinity): number {
    let moved = 0
    if (this.clientStalled) return 0
    while (moved < max && this.toClient.length > 0 && !this.#clientClosing) {
      const frame = this.toClient.shift()!
      moved++
      this.client.message(frame)
    }
    if (this.serverClose && this.toClient.length === 0 && !this.#clientToldClose && !this.#clientClosing) {
      this.#clientToldClose = true
      this.client.closed(this.serverClose)
      moved++
    }
    return moved
  }
}
