// The agent's memory note (its "identity file", notes key `memory` in its namespace): read at
// start into the system prompt, one line added after each piece of work, the newest kept.
// So a restarted agent knows what it did and stays itself.

import type { Agent } from '../sdk/Agent.ts'

/** Lines kept in the memory note. */
export const MEMORY_LINES = 40

/** Appends a dated line to the memory note, keeping the newest MEMORY_LINES. */
export function rememberLine(agent: Pick<Agent, 'memory' | 'remember'>, line: string, now = Date.now()): void {
  const lines = agent.memory().split('\n').filter(Boolean)
  lines.push(`${new Date(now).toISOString().slice(0, 16)}Z ${line.replace(/\s+/g, ' ').slice(0, 300)}`)
  agent.remember(lines.slice(-MEMORY_LINES).join('\n'))
}

/** The system-prompt addition: the persona, then what the memory note says. */
export function memoryInstructions(persona: string | undefined, memory: string): string | undefined {
  const parts = [persona?.trim(), memory.trim() ? `Your memory from earlier runs (newest last):\n${memory.trim()}` : undefined].filter(Boolean)
  return parts.length ? parts.join('\n\n') : undefined
}
