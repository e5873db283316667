// One ReviewedTexts per agent and lens, so every caller (watch loop, scheduled runs) shares what
// this agent has already read with that lens; kept in the agent's local store
// (with storeDir), so a restarted agent reads only what changed while it was away.
import { ReviewedTexts } from '../reviewers/index.ts'
import type { Agent } from '../sdk/Agent.ts'

const perAgent = new WeakMap<Agent, Map<string, ReviewedTexts>>()

/**
 * What `agent` has read with `lens` (a heuristic reviewer's id, a model role): another lens has
 * read nothing yet, so an agent run with a different reviewer reads everything once.
 */
export function reviewedTextsOf(agent: Agent, lens: string): ReviewedTexts {
  let lenses = perAgent.get(agent)
  if (!lenses) perAgent.set(agent, (lenses = new Map()))
  let texts = lenses.get(lens)
  if (!texts) {
    const key = (k: string) => `${agent.workspace}/${lens}/${k}`
    lenses.set(lens, (texts = new ReviewedTexts({ get: (k) => agent.localValue(key(k)), set: (k, value) => agent.setLocalValue(key(k), value) })))
  }
  return texts
}
