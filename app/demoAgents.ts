// `npm start` runs the two built-in heuristic reviewers against the demo workspace, as real
// SDK clients over the network, so a fresh checkout shows divergent readings without a model.
// The claims reviewer also works the task board as the heuristic worker (no model): a task
// created on the Tasks page is claimed, recorded in a note and completed. The arbiter (the
// heuristic rule, labelled as such) proposes a resolution, with its reasoning, for every open
// conflict; a person approves it in the Review view. With a model key (`model`) the arbiter asks
// the model instead (the heuristic rule stands in while the model is unavailable).

import type { RunningServer } from '../server/server.ts'
import type { DemoTokens } from './demo.ts'
import { DEMO_WORKSPACE } from './demo.ts'
import { connectAgent } from '../agents/index.ts'
import { OFFLINE_REVIEWERS } from '../agents/reviewers/index.ts'
import {
  heuristicArbitrate,
  heuristicTaskDoer,
  modelArbitrate,
  runArbiter,
  runOfflineReview,
  runTaskWorker,
  watchDocuments,
  workspaceToolsFor,
  type TaskWorker,
} from '../agents/runtime/index.ts'
import { createLlmAgent, type LlmAgent } from '../agents/llm/index.ts'
import type { Agent } from '../agents/index.ts'

/** The model the demo's arbiter asks, when a key is configured (ANTHROPIC_API_KEY). */
export interface DemoModel {
  apiKey: string
  baseURL?: string
  model: string
}

export async function startDemoAgents(server: RunningServer, tokens: DemoTokens, model?: DemoModel): Promise<() => Promise<void>> {
  const crew = [
    { token: tokens['clarity-reviewer'], reviewer: OFFLINE_REVIEWERS.clarity, works: false },
    { token: tokens['claims-reviewer'], reviewer: OFFLINE_REVIEWERS.claims, works: true },
  ]
  const running = await Promise.all(
    crew.map(async ({ token, reviewer, works }) => {
      const agent = await connectAgent({ url: server.url, workspace: DEMO_WORKSPACE, token, role: 'reviewer' })
      const loop = watchDocuments(agent, (doc) => runOfflineReview(agent, reviewer, doc), {
        onError: (err, doc) => server.logger.warn({ err, doc, agent: agent.principal.id }, 'demo review failed'),
      })
      const worker: TaskWorker | null = works ? runTaskWorker(agent, heuristicTaskDoer(agent)) : null
      worker?.done.catch((err: unknown) => server.logger.warn({ err, agent: agent.principal.id }, 'demo worker stopped'))
      return { agent, loop, worker }
    }),
  )
  const arbiterAgent = await connectAgent({ url: server.url, workspace: DEMO_WORKSPACE, token: tokens.arbiter, role: 'arbiter' })
  const log = (msg: string, fields: Record<string, unknown> = {}) => server.logger.info({ ...fields, agent: arbiterAgent.principal.id }, `demo arbiter: ${msg}`)
  const llm = model ? arbiterModel(arbiterAgent, model) : null
  const arbiter = runArbiter(arbiterAgent, llm ? modelArbitrate(arbiterAgent, llm, log) : heuristicArbitrate(arbiterAgent, log), { log })
  server.logger.info({ agents: [...running.map((r) => r.agent.principal.id), arbiterAgent.principal.id] }, 'demo agents attached')
  return async () => {
    await arbiter.stop()
    llm?.close()
    arbiterAgent.close()
    for (const { agent, loop, worker } of running) {
      await loop.stop()
      await worker?.stop()
      agent.close()
    }
  }
}

function arbiterModel(agent: Agent, model: DemoModel): LlmAgent {
  return createLlmAgent({
    role: 'arbiter',
    name: agent.principal.id,
    model: model.model,
    apiKey: model.apiKey,
    ...(model.baseURL ? { baseURL: model.baseURL } : {}),
    maxTurns: 4,
    maxTokens: 2048,
    timeoutMs: 60_000,
    retry: { maxRetries: 2, initialDelayMs: 1000, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 },
    breaker: { threshold: 5, halfOpenAfterMs: 30_000 },
    // The arbiter proposes; it does not edit the text itself.
    tools: { ...workspaceToolsFor(agent), replaceText: undefined, insertText: undefined },
    onStatus: (s) => agent.setStatus(s.state, s.detail),
  })
}
