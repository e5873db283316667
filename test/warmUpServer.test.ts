// app/warmUpServer.ts walks the first connection's path once at start-up through a scratch
// server in memory: it must complete for real (a durable write, then a reader that syncs it),
// leave no server or socket behind, and give up within its bound without throwing.

import { describe, expect, it } from 'vitest'
import { warmUpServer } from '../app/warmUpServer.ts'
import { createLogger } from '../server/logger.ts'
import { waitFor } from './helpers/wait.ts'

/** Handles that keep a process alive: the scratch server and its sockets must all be gone. */
function netHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length
}

describe('warmUpServer', () => {
  it('writes durably and syncs the write back through a scratch server, then closes it', async () => {
    const before = netHandles()
    const result = await warmUpServer(createLogger('silent'))
    expect(result.walked).toBe(true)
    await waitFor(() => netHandles() === before, 'the scratch server and its sockets closed')
  })

  it('gives up past its time bound without throwing, and still closes the scratch server', async () => {
    const before = netHandles()
    const result = await warmUpServer(createLogger('silent'), { timeoutMs: 0 })
    expect(result.walked).toBe(false)
    await waitFor(() => netHandles() === before, 'the scratch server and its sockets closed')
  })
})
