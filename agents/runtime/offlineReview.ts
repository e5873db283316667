// Runs a built-in heuristic reviewer over one shared document through the SDK: the same
// loop an LLM agent runs (read, think, write annotations, flush), without a model.

import type { Agent } from '../sdk/Agent.ts'
import type { OfflineReviewer as HeuristicReviewer } from '../reviewers/index.ts'
import type { OfflineFallback as LlmFallback } from '../llm/index.ts'

export interface OfflineReviewResult {
  doc: string
  findings: number
  created: number
}

export async function runOfflineReview(agent: Agent, reviewer: HeuristicReviewer, doc: string): Promise<OfflineReviewResult> {
  // People read the status: name the document by its title; presence and annotations keep the id.
  const title = agent.title(doc)
  agent.setStatus('reading', `reading ${title}`, doc)
  const text = agent.read(doc)
  agent.setStatus('thinking', `${reviewer.lens} (${text.length} chars)`, doc)
  const findings = reviewer.review(text)
  agent.setStatus('writing', `${findings.length} findings on ${title}`, doc)
  let created = 0
  // Offsets are from the text just read; nothing yields in between, so they still hold.
  let refused = 0
  for (const f of findings) {
    try {
      const r = agent.annotate(doc, { start: f.start, end: f.end }, { label: f.label, comment: f.comment, severity: f.severity })
      if (r.created) created++
    } catch (error) {
      // Beyond the reading limits (a finding too long, the namespace full on this document): skip it, keep the rest.
      if (!(error instanceof RangeError)) throw error
      refused++
    }
  }
  if (refused > 0) agent.setStatus('writing', `${refused} findings on ${doc} beyond the reading limits, not written`, doc)
  // Offline, the local store keeps the findings; waiting here would stall every other document.
  await agent.flushedIfOnline()
  agent.setStatus('idle', `reviewed ${title}: ${findings.length} findings`, doc)
  return { doc, findings: findings.length, created }
}

/** The LLM runner's fallback: review with a heuristic when the model is unavailable. */
export function heuristicFallback(agent: Agent, reviewer: HeuristicReviewer): LlmFallback {
  return { review: async (_text, doc) => void (await runOfflineReview(agent, reviewer, doc)) }
}
