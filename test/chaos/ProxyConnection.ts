// One client connection through the proxy: the accepted socket, the upstream socket to the
// server, and a Pipe each way. 'up' is client → server, 'down' is server → client.

import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { Pipe, type Delay } from './Pipe.ts'

export type Direction = 'up' | 'down' | 'both'

export class ProxyConnection extends EventEmitter {
  readonly up: Pipe
  readonly down: Pipe
  #closed = false

  constructor(
    readonly id: number,
    readonly client: Socket,
    readonly server: Socket,
    maxBufferedBytes: number,
  ) {
    super()
    this.up = new Pipe(client, server, maxBufferedBytes)
    this.down = new Pipe(server, client, maxBufferedBytes)
    // An abrupt failure on one side (RST, refused, killed server) takes the other down with it,
    // as a reset: the peer must see the connection die, not a clean close.
    client.on('error', () => this.reset())
    server.on('error', () => this.reset())
    // Half-open sockets: each side closes once both of its directions are done.
    client.on('close', () => this.#sideClosed(server))
    server.on('close', () => this.#sideClosed(client))
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Destroys both sockets (the peers see a close without a FIN handshake from the proxy). */
  cut(): void {
    this.#finish(() => {
      this.client.destroy()
      this.server.destroy()
    })
  }

  /** Sends a TCP RST both ways. */
  reset(): void {
    this.#finish(() => {
      resetSocket(this.client)
      resetSocket(this.server)
    })
  }

  stall(direction: Direction = 'both'): void {
    for (const pipe of this.#pipes(direction)) pipe.stall()
  }

  resume(direction: Direction = 'both'): void {
    for (const pipe of this.#pipes(direction)) pipe.resume()
  }

  setDelay(delay: Delay, direction: Direction = 'both'): void {
    for (const pipe of this.#pipes(direction)) pipe.setDelay(delay)
  }

  #pipes(direction: Direction): Pipe[] {
    return direction === 'both' ? [this.up, this.down] : [direction === 'up' ? this.up : this.down]
  }

  #sideClosed(other: Socket): void {
    // Once one side is fully closed and the other has nothing left to receive, it is over.
    if (other.destroyed || other.writableEnded) this.#finish(() => other.destroy())
    else if (this.up.buffered === 0 && this.down.buffered === 0 && !this.up.stalled && !this.down.stalled) this.#finish(() => other.destroy())
  }

  #finish(act: () => void): void {
    if (this.#closed) return
    this.#closed = true
    this.up.close()
    this.down.close()
    act()
    this.emit('close')
  }
}

function resetSocket(socket: Socket): void {
  if (socket.destroyed) return
  // resetAndDestroy() needs a connected TCP handle; a socket still connecting is just destroyed.
  if (socket.connecting) socket.destroy()
  else socket.resetAndDestroy()
}
