// A TCP proxy under test control between clients and a server, on 127.0.0.1:0.
//
//   const proxy = await TcpProxy.start({ target: { port: server.port } })
//   connectAgent({ url: proxy.url, ... })
//   proxy.partition()          // cut every connection and refuse new ones
//   proxy.heal()               // accept again, forward everything, no delay
//
// Faults: cut (destroy), reset (RST), delay (fixed or per chunk, order kept), stall (buffer one
// direction), refuse new connections. Each applies to all live connections and, for delay and
// stall, to connections accepted later. Everything is bounded (buffers, connection count) and
// close() stops it all.

import { createServer, connect, type Server, type Socket } from 'node:net'
import { EventEmitter, once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { ProxyConnection, type Direction } from './ProxyConnection.ts'
import type { Delay } from './Pipe.ts'

export type { Direction } from './ProxyConnection.ts'
export type { Delay } from './Pipe.ts'

export interface TcpProxyOptions {
  target: { host?: string; port: number }
  /** Per direction and connection; past it the sender is paused (default 8 MiB). */
  maxBufferedBytes?: number
  /** Connections accepted beyond this are reset (default 256). */
  maxConnections?: number
}

export interface ProxyStats {
  accepted: number
  /** Connections reset on arrival while refusing (partitioned). */
  refused: number
}

export class TcpProxy extends EventEmitter {
  readonly stats: ProxyStats = { accepted: 0, refused: 0 }
  readonly #server: Server
  readonly #target: { host: string; port: number }
  readonly #maxBuffered: number
  readonly #maxConnections: number
  readonly #live = new Set<ProxyConnection>()
  #nextId = 1
  #refusing = false
  #delay: Record<'up' | 'down', Delay> = { up: 0, down: 0 }
  #stalled: Record<'up' | 'down', boolean> = { up: false, down: false }
  #port = 0

  private constructor(opts: TcpProxyOptions) {
    super()
    this.#target = { host: opts.target.host ?? '127.0.0.1', port: opts.target.port }
    this.#maxBuffered = opts.maxBufferedBytes ?? 8 * 1024 * 1024
    this.#maxConnections = opts.maxConnections ?? 256
    this.#server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.#accept(socket))
  }

  static async start(opts: TcpProxyOptions): Promise<TcpProxy> {
    const proxy = new TcpProxy(opts)
    proxy.#server.listen(0, '127.0.0.1')
    await once(proxy.#server, 'listening')
    proxy.#port = (proxy.#server.address() as AddressInfo).port
    return proxy
  }

  get port(): number {
    return this.#port
  }

  /** Base URL for HTTP clients (the agent SDK). */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`
  }

  /** Base URL for WebSocket clients (`${wsUrl}/sync`). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.#port}/sync`
  }

  get connections(): ProxyConnection[] {
    return [...this.#live]
  }

  get refusing(): boolean {
    return this.#refusing
  }

  cut(): void {
    for (const c of this.connections) c.cut()
  }

  reset(): void {
    for (const c of this.connections) c.reset()
  }

  /** New connections are reset on arrival until heal() or acceptNew(). */
  refuseNew(): void {
    this.#refusing = true
  }

  acceptNew(): void {
    this.#refusing = false
  }

  /** A network partition: every live connection cut, every new one refused. */
  partition(): void {
    this.refuseNew()
    this.cut()
  }

  setDelay(delay: Delay, direction: Direction = 'both'): void {
    for (const d of sides(direction)) this.#delay[d] = delay
    for (const c of this.connections) c.setDelay(delay, direction)
  }

  stall(direction: Direction = 'both'): void {
    for (const d of sides(direction)) this.#stalled[d] = true
    for (const c of this.connections) c.stall(direction)
  }

  resume(direction: Direction = 'both'): void {
    for (const d of sides(direction)) this.#stalled[d] = false
    for (const c of this.connections) c.resume(direction)
  }

  /** Back to a clean link: accepting, no delay, nothing stalled (buffered bytes flow on). */
  heal(): void {
    this.acceptNew()
    this.setDelay(0)
    this.resume()
  }

  /** Bytes read from clients (up) and from the server (down) over live connections, not yet forwarded. */
  buffered(): { up: number; down: number } {
    let up = 0
    let down = 0
    for (const c of this.#live) {
      up += c.up.buffered
      down += c.down.buffered
    }
    return { up, down }
  }

  async close(): Promise<void> {
    this.#refusing = true
    this.cut()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
    this.removeAllListeners()
  }

  #accept(client: Socket): void {
    client.on('error', () => {})
    if (this.#refusing || this.#live.size >= this.#maxConnections) {
      this.stats.refused++
      client.resetAndDestroy()
      this.emit('refused')
      return
    }
    this.stats.accepted++
    const server = connect({ host: this.#target.host, port: this.#target.port, allowHalfOpen: true })
    server.on('error', () => {})
    client.setNoDelay(true)
    server.setNoDelay(true)
    const conn = new ProxyConnection(this.#nextId++, client, server, this.#maxBuffered)
    for (const d of sides('both')) {
      conn.setDelay(this.#delay[d], d)
      if (this.#stalled[d]) conn.stall(d)
    }
    this.#live.add(conn)
    conn.once('close', () => {
      this.#live.delete(conn)
      this.emit('closed', conn)
    })
    client.resume()
    this.emit('connection', conn)
  }
}

function sides(direction: Direction): Array<'up' | 'down'> {
  return direction === 'both' ? ['up', 'down'] : [direction]
}
