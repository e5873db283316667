// One ReviewedTexts per agent for the heuristic reviews, so every caller (watch loop, scheduled
// runs, the LLM fallback) shares what this agent has already read.
import { ReviewedTexts } from '../reviewers/index.ts'
import type { Agent } from '../sdk/Agent.ts'

const perAgent = new WeakMap<Agent, ReviewedTexts>()

export function reviewedTextsOf(agent: Agent): ReviewedTexts {
  let texts = perAgent.get(agent)
  if (!texts) perAgent.set(agent, (texts = new ReviewedTexts()))
  return texts
}
