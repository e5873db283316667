// A model's review of one document through the SDK: the LLM runner reads what changed since its
// last review, and each new reading supersedes this agent's earlier readings of the stretch it
// overlaps (supersedeRule.ts), as the heuristic reviews do.
import type { LlmAgent, ReviewResult } from '../llm/index.ts'
import type { Agent } from '../sdk/Agent.ts'
import { reviewedTextsOf } from './reviewedTexts.ts'
import { supersedeOverlapping } from './supersedeRule.ts'

export async function runModelReview(agent: Agent, llm: LlmAgent, doc: string, signal?: AbortSignal): Promise<ReviewResult & { superseded: number }> {
  const result = await llm.reviewDocument(doc, { signal, reviewed: reviewedTextsOf(agent, `model:${llm.role}`) })
  const annotations = result.writes.filter((w) => w.tool === 'annotate')
  // The model may annotate another document than the one it reviews: each is superseded on its own.
  let superseded = 0
  for (const id of new Set(
    agent
      .annotations()
      .filter((a) => annotations.some((w) => w.id === a.id))
      .map((a) => a.doc),
  )) {
    superseded += supersedeOverlapping(agent, id, annotations)
  }
  return { ...result, superseded }
}
