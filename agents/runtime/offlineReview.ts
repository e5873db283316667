// Runs a built-in heuristic reviewer over one shared document through the SDK: the same
// loop an LLM agent runs (read, think, write annotations, flush), without a model. After the
// first review of a document only the paragraphs changed since are re-read, and each new
// reading supersedes this agent's earlier readings of the stretch it overlaps (supersedeRule.ts).

import type { Agent, WriteResult } from '../sdk/Agent.ts'
import type { OfflineReviewer as HeuristicReviewer } from '../reviewers/index.ts'
import type { OfflineFallback as LlmFallback } from '../llm/index.ts'
import { reviewedTextsOf } from './reviewedTexts.ts'
import { supersedeOverlapping } from './supersedeRule.ts'

export interface OfflineReviewResult {
  doc: string
  findings: number
  created: number
  /** The stretches read: the whole text the first time, then the paragraphs changed since. */
  read: Array<{ start: number; end: number }>
  /** Earlier readings of this agent that the new ones replaced. */
  superseded: number
}

export async function runOfflineReview(agent: Agent, reviewer: HeuristicReviewer, doc: string): Promise<OfflineReviewResult> {
  // People read the status: name the document by its title; presence and annotations keep the id.
  const title = agent.title(doc)
  agent.setStatus('reading', `reading ${title}`, doc)
  const text = agent.read(doc)
  const memory = reviewedTextsOf(agent, `heuristic:${reviewer.id}`)
  const { stretches, incremental } = memory.toRead(doc, text)
  const chars = stretches.reduce((n, s) => n + s.end - s.start, 0)
  agent.setStatus('thinking', `${reviewer.lens} (${incremental ? `${stretches.length} changed paragraphs, ` : ''}${chars} chars)`, doc)
  // Each stretch is read on its own; findings come back in the document's offsets.
  const findings = stretches.flatMap((s) => reviewer.review(s.text).map((f) => ({ ...f, start: f.start + s.start, end: f.end + s.start })))
  agent.setStatus('writing', `${findings.length} findings on ${title}`, doc)
  let created = 0
  const written: WriteResult[] = []
  // Offsets are from the text just read; nothing yields in between, so they still hold.
  let refused = 0
  for (const f of findings) {
    try {
      const r = agent.annotate(doc, { start: f.start, end: f.end }, { label: f.label, comment: f.comment, severity: f.severity })
      written.push(r)
      if (r.created) created++
    } catch (error) {
      // Beyond the reading limits (a finding too long, the namespace full on this document): skip it, keep the rest.
      if (!(error instanceof RangeError)) throw error
      refused++
    }
  }
  const superseded = supersedeOverlapping(agent, doc, written)
  memory.reviewed(doc, text)
  if (refused > 0) agent.setStatus('writing', `${refused} findings on ${doc} beyond the reading limits, not written`, doc)
  // Offline, the local store keeps the findings; waiting here would stall every other document.
  await agent.flushedIfOnline()
  agent.setStatus('idle', `reviewed ${title}: ${findings.length} findings`, doc)
  return { doc, findings: findings.length, created, read: stretches.map(({ start, end }) => ({ start, end })), superseded }
}

/** The LLM runner's fallback: review with a heuristic when the model is unavailable. */
export function heuristicFallback(agent: Agent, reviewer: HeuristicReviewer): LlmFallback {
  return { review: async (_text, doc) => void (await runOfflineReview(agent, reviewer, doc)) }
}
