// Ending an MCP session's agent: tasks it still holds go back to the pool at once (instead of
// when their lease runs out), then its sockets close. Bounded: a server that does not answer
// leaves the leases to expire.

import type { Agent } from '../sdk/Agent.ts'

const RELEASE_WAIT_MS = 3000

export async function endSession(agent: Agent): Promise<void> {
  const held = agent.tasks.held()
  if (held.length > 0 && agent.connection !== 'denied') {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([Promise.allSettled(held.map((id) => agent.tasks.release(id))), new Promise((resolve) => (timer = setTimeout(resolve, RELEASE_WAIT_MS)))])
    clearTimeout(timer)
  }
  agent.close()
}
