// The test harness itself (test/helpers/harness.ts): what a test makes is torn down after it,
// restarts included, and the data directory goes with the first instance.

import { existsSync } from 'node:fs'
import { expect, it } from 'vitest'
import { useHarness } from './helpers/harness.ts'
import { synced, type StockClient } from './helpers/clients.ts'
import type { Agent } from '../agents/index.ts'

const t = useHarness()
const made: { dataDir?: string; url?: string; client?: StockClient; agent?: Agent; deferred?: boolean } = {}

it('owns the servers, clients and agents a test makes; a restart becomes the current server', async () => {
  const first = await t.start()
  made.dataDir = first.dataDir
  made.client = t.stock('w1/shared', 'alice')
  await synced(made.client)
  made.agent = await t.agent('agent-a')
  t.defer(() => void (made.deferred = true))
  const second = await first.restart()
  expect(t.server.port).toBe(second.port)
  expect(t.server).toBe(second)
  made.url = second.url
})

it('tore all of it down after that test', async () => {
  expect(made.deferred).toBe(true)
  expect(existsSync(made.dataDir!)).toBe(false)
  expect(made.client!.provider.shouldConnect).toBe(false)
  expect(made.agent!.connection).not.toBe('online')
  await expect(fetch(`${made.url}/healthz`)).rejects.toThrow()
  expect(() => t.server).toThrow(/no server yet/)
})
