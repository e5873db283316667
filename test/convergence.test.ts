// [core] Seeded randomized convergence: stock clients edit a Y.Text and a Y.Map through
// random disconnects and reconnects and one server restart; at the end every client, the
// server's room and the server's stored state are identical.
// The seed is printed; re-run one with POLYPHONY_SEED=<seed>.

import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { rmSync } from 'node:fs'
import { startTestServer, type TestServer } from './helpers/server.ts'
import { connectStock, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { storedDoc } from './fixtures/stored.ts'
import { editedContent, randomEdit } from './fixtures/randomEdit.ts'

const ROOM = 'team/shared'
const WRITERS = ['alice', 'bob', 'agent-a', 'agent-b']
const STEPS = 400
const envSeed = Number(process.env.POLYPHONY_SEED)
const SEEDS = Number.isInteger(envSeed) && process.env.POLYPHONY_SEED ? [envSeed] : [Date.now() % 2 ** 31, (Date.now() * 7919) % 2 ** 31]

let server: TestServer | null = null
const dirs: string[] = []
afterAll(async () => {
  await server?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const yieldToNetwork = () => new Promise((r) => setImmediate(r))

describe('randomized convergence', () => {
  it.each(SEEDS)('seed %i: clients, server room and storage converge through disconnects and a restart', async (seed) => {
    console.log(`convergence seed: ${seed} (re-run with POLYPHONY_SEED=${seed})`)
    const gen = prng.create(seed)
    server = await startTestServer()
    const dataDir = server.dataDir
    dirs.push(dataDir)
    const clients: StockClient[] = WRITERS.map((who) => connectStock(server!.wsUrl, ROOM, who))
    try {
      await waitFor(() => clients.every((c) => c.provider.synced), 'initial sync')
      const restartAt = prng.int32(gen, STEPS / 3, (2 * STEPS) / 3)
      let toggles = 0
      for (let step = 0; step < STEPS; step++) {
        const c = prng.oneOf(gen, clients)
        const roll = prng.int32(gen, 0, 99)
        if (roll < 8) {
          toggles++
          if (c.provider.shouldConnect) c.provider.disconnect()
          else c.provider.connect()
        } else {
          randomEdit(gen, c.doc)
        }
        if (step === restartAt) {
          // Same port, so the providers' reconnect attempts find the new process.
          const port = server.port
          await server.stop()
          server = await startTestServer({ dataDir, port })
        }
        if (prng.bool(gen)) await yieldToNetwork()
      }
      for (const c of clients) {
        // Skip the backoff left over from the restart: reconnect now.
        c.provider.disconnect()
        c.provider.connect()
      }
      const room = await server.core.room(ROOM)
      await waitFor(
        () =>
          clients.every((c) => c.provider.synced) &&
          clients.every((c) => Y.equalSnapshots(Y.snapshot(c.doc), Y.snapshot(clients[0].doc))) &&
          Y.equalSnapshots(Y.snapshot(room.doc), Y.snapshot(clients[0].doc)),
        `convergence (seed ${seed})`,
        20_000,
      )
      const expected = editedContent(clients[0].doc)
      for (const c of clients) expect(editedContent(c.doc)).toEqual(expected)
      expect(editedContent(room.doc)).toEqual(expected)
      await room.drain()
      const stored = await storedDoc(server.db, ROOM)
      expect(editedContent(stored)).toEqual(expected)
      expect(Y.equalSnapshots(Y.snapshot(stored), Y.snapshot(clients[0].doc))).toBe(true)
      expect(toggles).toBeGreaterThan(0)
      expect(expected.text.length + Object.keys(expected.map).length).toBeGreaterThan(0)
    } finally {
      for (const c of clients) c.destroy()
      await server.close()
      server = null
    }
  })
})
