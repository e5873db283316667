// How the arbiter judges one conflict: with the model (the tool `propose_resolution`, which
// submits through the SDK), or with the heuristic rule when there is no model or it is
// unavailable. Either way the proposal goes through `agent.submit`, attributed to the arbiter.

import type { Agent } from '../sdk/Agent.ts'
import type { LlmAgent } from '../llm/index.ts'
import type { Member } from '../../shared/api/index.ts'
import type { Arbitrate } from './arbiter.ts'
import { heuristicProposal } from './heuristicArbiter.ts'

/** Members' kinds and names, fetched once and again when a conflict names someone unknown. */
function memberDirectory(agent: Agent) {
  let members = new Map<string, Member>()
  return async (principals: string[]) => {
    if (principals.some((p) => !members.has(p))) {
      const detail = await agent.api.workspace(agent.workspace)
      members = new Map(detail.members.map((m) => [m.id, m]))
    }
    return { kindOf: (p: string) => members.get(p)?.kind, nameOf: (p: string) => members.get(p)?.name ?? p }
  }
}

export function heuristicArbitrate(agent: Agent, log: (msg: string, fields?: Record<string, unknown>) => void = () => {}): Arbitrate {
  const directory = memberDirectory(agent)
  return async (record) => {
    const { kindOf, nameOf } = await directory(record.parties.map((p) => p.principal))
    const proposal = heuristicProposal(record, kindOf, nameOf)
    if (!proposal) return
    agent.setStatus('writing', `proposing a resolution of ${record.id}`)
    const result = await agent.submit(record.id, proposal.choice, proposal.reasoning)
    agent.setStatus('idle', result.applied ? `resolved ${record.id}` : `proposed a resolution of ${record.id}`)
    log(result.applied ? 'resolution applied' : 'resolution proposed', { conflict: record.id, choice: proposal.choice, by: 'heuristic' })
  }
}

/** The model judges; when it is unavailable (paused, failed) the heuristic rule proposes instead, labelled as such. */
export function modelArbitrate(agent: Agent, llm: LlmAgent, log: (msg: string, fields?: Record<string, unknown>) => void = () => {}): Arbitrate {
  const fallback = heuristicArbitrate(agent, log)
  return async (record, signal) => {
    const result = await llm.arbitrate(record, { signal })
    const proposed = result.writes.some((w) => w.tool === 'propose_resolution')
    log('arbitrated', { conflict: record.id, outcome: result.outcome, proposed, reason: result.reason })
    if (!proposed && (result.outcome === 'paused' || result.outcome === 'failed') && !signal.aborted) await fallback(record, signal)
  }
}
