// Everything a chaos scenario starts, registered for teardown in reverse order: proxies,
// agents, stock clients, server processes, temp directories. One per test; afterEach cleans up.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Y from 'yjs'
import { connectAgent, type Agent } from '../../agents/index.ts'
import { connectStock, type StockClient } from '../helpers/clients.ts'
import { token } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { TcpProxy } from './TcpProxy.ts'
import { startServerProcess, type ServerProcess } from './serverProcess.ts'

export const WORKSPACE = 'w1'
export const SHARED = `${WORKSPACE}/shared`

export class ChaosHarness {
  #cleanups: Array<() => unknown> = []

  /** Runs `fn` at teardown (last registered, first run). */
  defer(fn: () => unknown): void {
    this.#cleanups.push(fn)
  }

  async cleanup(): Promise<void> {
    const errors: unknown[] = []
    for (const fn of this.#cleanups.splice(0).reverse()) {
      try {
        await fn()
      } catch (err) {
        errors.push(err)
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'chaos teardown failed')
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `polyphony-chaos-${prefix}-`))
    this.defer(() => rmSync(dir, { recursive: true, force: true }))
    return dir
  }

  async proxy(targetPort: number): Promise<TcpProxy> {
    const proxy = await TcpProxy.start({ target: { port: targetPort } })
    this.defer(() => proxy.close())
    return proxy
  }

  /** An SDK agent in workspace w1; closed at teardown unless the scenario closed it. */
  async agent(url: string, id: string, opts: { storeDir?: string } = {}): Promise<Agent> {
    const agent = await connectAgent({ url, workspace: WORKSPACE, token: token(id), role: 'chaos', ...opts })
    // Scenarios close agents themselves (to restart them, or before a server restart);
    // teardown must then not close them a second time.
    let closed = false
    const close = agent.close.bind(agent)
    agent.close = () => {
      if (closed) return
      closed = true
      close()
    }
    this.defer(() => agent.close())
    return agent
  }

  /** A stock y-websocket client (browser-like) on `room`, optionally on a doc it keeps. */
  stock(wsUrl: string, principal: string, opts: { doc?: Y.Doc; room?: string } = {}): StockClient {
    const client = connectStock(wsUrl, opts.room ?? SHARED, principal, { doc: opts.doc })
    this.defer(() => client.destroy())
    return client
  }

  async serverProcess(): Promise<ServerProcess> {
    return this.#trackProcess(await startServerProcess({ dataDir: this.tempDir('data') }))
  }

  async restartProcess(previous: ServerProcess): Promise<ServerProcess> {
    return this.#trackProcess(await previous.restart())
  }

  #trackProcess(server: ServerProcess): ServerProcess {
    this.defer(() => server.kill('SIGKILL'))
    return server
  }
}

/** Resolves once a stock client has a synced connection. */
export function stockOnline(client: StockClient): Promise<void> {
  return waitFor(() => client.provider.wsconnected && client.provider.synced, 'stock client online')
}

/** Resolves once a stock client has lost its connection. */
export function stockOffline(client: StockClient): Promise<void> {
  return waitFor(() => !client.provider.wsconnected, 'stock client offline')
}

/** Resolves once both of an agent's rooms are offline. */
export function agentOffline(agent: Agent): Promise<void> {
  return waitFor(() => agent.sharedSync.state === 'offline' && agent.namespaceSync.state === 'offline', `${agent.principal.id} offline`)
}

/** A macrotask turn: lets sockets, timers and the server make progress inside a write loop. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
