// `polyphony agent`: attach, review every document, keep watching, stop cleanly on a signal.

import { connectAgent } from '../sdk/connectAgent.ts'
import type { Agent } from '../sdk/Agent.ts'
import { OFFLINE_REVIEWERS } from '../reviewers/index.ts'
import { createLlmAgent } from '../llm/index.ts'
import { heuristicFallback, reportUsage, runOfflineReview, watchDocuments, workspaceToolsFor } from '../runtime/index.ts'
import { AGENT_HELP, parseAgentOptions, type AgentOptions } from './agentOptions.ts'

const log = (msg: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }))

export async function agentCommand(argv: string[], env = process.env): Promise<number> {
  const parsed = parseAgentOptions(argv, env)
  if (!parsed.ok) {
    if (parsed.help) {
      console.log(AGENT_HELP)
      return 0
    }
    console.error(parsed.error)
    return 2
  }
  const opts = parsed.options
  let agent: Agent
  try {
    agent = await connectAgent({ url: opts.server, workspace: opts.workspace, token: opts.token, storeDir: opts.storeDir, role: opts.role })
  } catch (err) {
    console.error(`cannot attach to ${opts.server} workspace ${opts.workspace}: ${(err as Error).message}`)
    return 1
  }
  log('attached', { principal: agent.principal.id, workspace: opts.workspace, connection: agent.connection })
  // Aborted on stop, so a model call in flight ends now rather than after its timeout and retries.
  const stopping = new AbortController()
  const reviewer = reviewerFor(agent, opts, stopping.signal)
  const { review } = reviewer
  const loop = watchDocuments(agent, async (doc) => log('reviewed', { doc, result: await review(doc) }), { docs: opts.docs })

  // Ctrl-C under `polyphony team` delivers SIGINT (terminal) and SIGTERM (supervisor): stop once.
  let stopped: Promise<void> | undefined
  const stop = (signal: string) =>
    (stopped ??= (async () => {
      log('stopping', { signal })
      stopping.abort()
      await loop.stop()
      agent.setStatus('idle', 'stopped')
      await Promise.race([agent.flushed(), new Promise((r) => setTimeout(r, 5000).unref())])
      await reviewer.close?.()
      agent.close()
    })())
  if (opts.once) {
    await loop.idle()
    await stop('once')
    return 0
  }
  return new Promise<number>((resolve) => {
    const onSignal = (signal: string) => void stop(signal).then(() => resolve(0))
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
}

interface Reviewer {
  review: (doc: string) => Promise<unknown>
  /** Releases the model client and sends the last usage report. */
  close?: () => Promise<void>
}

function reviewerFor(agent: Agent, opts: AgentOptions, signal: AbortSignal): Reviewer {
  if (opts.offlineReviewer) {
    const heuristic = OFFLINE_REVIEWERS[opts.offlineReviewer]
    return { review: (doc) => runOfflineReview(agent, heuristic, doc) }
  }
  const llm = createLlmAgent({
    role: opts.role,
    name: agent.principal.id,
    model: opts.model,
    apiKey: opts.apiKey ?? '',
    baseURL: opts.baseURL,
    maxTurns: 12,
    maxTokens: 2048,
    timeoutMs: 60_000,
    retry: { maxRetries: 4, initialDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 },
    breaker: { threshold: 5, halfOpenAfterMs: 30_000 },
    tools: workspaceToolsFor(agent),
    onStatus: (s) => agent.setStatus(s.state, s.detail),
    fallback: opts.fallback === 'pause' ? 'pause' : heuristicFallback(agent, OFFLINE_REVIEWERS[opts.fallback]),
  })
  // Model calls, tokens, errors, retries and breaker state go to the server's metrics.
  const usage = reportUsage(llm.events, (body) => agent.tasks.client.report(body), { model: opts.model })
  return {
    close: async () => {
      await usage.stop()
      llm.close()
    },
    review: async (doc) => {
      const result = await llm.reviewDocument(doc, { signal })
      await Promise.all([agent.flushed(), usage.flush()])
      return { outcome: result.outcome, turns: result.turns, tokens: result.inputTokens + result.outputTokens, reason: result.reason }
    },
  }
}
