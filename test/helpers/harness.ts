// useHarness(): one owner for what a test file starts — servers, stock clients, SDK agents,
// anything else with a teardown — so no file repeats `let server; afterEach(close…)` and
// hand-kept client lists. What a test (or a beforeEach) makes is torn down after that test;
// what a beforeAll makes, after the file. Teardown runs newest first: clients and agents
// leave before the server they talk to stops, and a restarted server's successor closes before
// the first instance removes the shared data directory.

import { afterAll, afterEach, beforeEach } from 'vitest'
import type { Agent, ConnectAgentOptions } from '../../agents/index.ts'
import { startTestServer, type TestServer } from './server.ts'
import { connectStock, type StockClient } from './clients.ts'
import { connectTestAgent } from './agents.ts'

type Teardown = () => unknown

export interface Harness {
  /** Starts a test server (startTestServer options); it becomes `server`, and so does its restart(). */
  start(opts?: Parameters<typeof startTestServer>[0]): Promise<TestServer>
  /** The server started last (or its restarted successor); throws before any was started. */
  readonly server: TestServer
  /** A stock y-websocket client of `room` as `principal`, on `opts.server` or the current server. */
  stock(room: string, principal: string, opts?: Parameters<typeof connectStock>[3] & { server?: { wsUrl: string } }): StockClient
  /** An SDK agent as `principal` (workspace w1, role reviewer unless `opts` say otherwise). */
  agent(principal: string, opts?: Partial<ConnectAgentOptions> & { server?: { url: string } }): Promise<Agent>
  /** Owns anything else: `fn` runs at teardown with the rest, newest first. */
  defer(fn: Teardown): void
  /** Owns something with a close(): closed at teardown; returns it. */
  own<T extends { close(): unknown }>(thing: T): T
}

export function useHarness(): Harness {
  const perTest: Teardown[] = []
  const perFile: Teardown[] = []
  let inTest = false
  /** Servers not yet torn down, oldest first: `server` is the last one. */
  const live: TestServer[] = []

  const scope = () => (inTest ? perTest : perFile)
  const defer = (fn: Teardown) => void scope().push(fn)
  // A restarted server lives as long as the one it replaces: a file's server restarted in one
  // test is still the file's server in the next.
  const own = (server: TestServer, lifetime: Teardown[]): TestServer => {
    const owned: TestServer = { ...server, restart: async () => own(await server.restart(), lifetime) }
    live.push(owned)
    lifetime.push(async () => {
      live.splice(live.indexOf(owned), 1)
      await server.close()
    })
    return owned
  }
  const teardown = async (list: Teardown[]) => {
    const errors: unknown[] = []
    for (const fn of list.splice(0).reverse()) {
      try {
        await fn()
      } catch (err) {
        errors.push(err)
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} teardown step(s) failed`)
  }

  beforeEach(() => {
    inTest = true
  })
  afterEach(async () => {
    inTest = false
    await teardown(perTest)
  })
  afterAll(() => teardown(perFile))

  return {
    start: async (opts) => own(await startTestServer(opts), scope()),
    get server() {
      const last = live.at(-1)
      if (!last) throw new Error('no server yet: call start() first (in the test or a beforeAll)')
      return last
    },
    stock(room, principal, opts = {}) {
      const { server, ...rest } = opts
      const client = connectStock((server ?? this.server).wsUrl, room, principal, rest)
      defer(() => client.destroy())
      return client
    },
    async agent(principal, opts = {}) {
      const { server, ...rest } = opts
      const agent = await connectTestAgent(server ?? this.server, principal, rest)
      // Once only: a test may close an agent early (to go offline, to end a run) and the
      // harness closes it again at teardown; a second close would destroy its docs twice.
      const close = agent.close.bind(agent)
      let closed = false
      agent.close = () => {
        if (closed) return
        closed = true
        close()
      }
      defer(() => agent.close())
      return agent
    },
    defer,
    own(thing) {
      defer(() => thing.close())
      return thing
    },
  }
}
