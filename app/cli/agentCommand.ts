// `polyphony agent`: attach, then review documents (on every change, or `--every` period) or
// take tasks from the board (`--worker`); stop cleanly on a signal. Exit codes: exitCodes.ts.

import { startTracing } from '../../shared/telemetry/node.ts'
import { readFileSync } from 'node:fs'
import { connectAgent } from '../../agents/sdk/connectAgent.ts'
import type { Agent } from '../../agents/sdk/Agent.ts'
import { OFFLINE_REVIEWERS } from '../../agents/reviewers/index.ts'
import { createLlmAgent, type LlmAgent } from '../../agents/llm/index.ts'
import {
  heuristicArbitrate,
  heuristicFallback,
  heuristicTaskDoer,
  HEURISTIC_ARBITER,
  modelArbitrate,
  runArbiter,
  HEURISTIC_WORKER,
  memoryInstructions,
  rememberLine,
  reportUsage,
  runEvery,
  runModelReview,
  runOfflineReview,
  runTaskWorker,
  systemClock,
  TokenBudget,
  waitForBudget,
  watchDocuments,
  workspaceToolsFor,
  type Arbitrate,
  type Clock,
  type DoTask,
} from '../../agents/runtime/index.ts'
import { AGENT_HELP, parseAgentOptions, type AgentOptions } from './agentOptions.ts'
import { classifyFailure, EXIT } from '../../agents/exitCodes.ts'

/** A persona is a prompt addition, not a document: bounded. */
const MAX_INSTRUCTIONS_CHARS = 20_000

const log = (msg: string, fields: Record<string, unknown> = {}) => console.log(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }))

/** What keeps the agent busy: watching documents, a schedule, or a worker. */
interface Activity {
  /** Resolves when there is nothing left to do now (for --once). */
  idle(): Promise<void>
  stop(): Promise<void>
}

export async function agentCommand(argv: string[], env = process.env, clock: Clock = systemClock): Promise<number> {
  // OTEL_EXPORTER_OTLP_ENDPOINT turns traces on: model call → tool call → update → conflict, joined with the server's.
  const tracing = startTracing({ serviceName: 'polyphony-agent', env })
  try {
    return await runAgentCommand(argv, env, clock)
  } finally {
    await tracing?.shutdown().catch(() => {})
  }
}

async function runAgentCommand(argv: string[], env: NodeJS.ProcessEnv, clock: Clock): Promise<number> {
  const parsed = parseAgentOptions(argv, env)
  if (!parsed.ok) {
    if (parsed.help) {
      console.log(AGENT_HELP)
      return EXIT.ok
    }
    console.error(parsed.error)
    return EXIT.usage
  }
  const opts = parsed.options
  let persona: string | undefined
  if (opts.instructionsFile) {
    try {
      persona = readFileSync(opts.instructionsFile, 'utf8')
    } catch (err) {
      console.error(`cannot read --instructions ${opts.instructionsFile}: ${(err as Error).message}`)
      return EXIT.usage
    }
    if (persona.length > MAX_INSTRUCTIONS_CHARS) {
      console.error(`--instructions ${opts.instructionsFile} has ${persona.length} characters; at most ${MAX_INSTRUCTIONS_CHARS}: shorten it`)
      return EXIT.usage
    }
  }
  let agent: Agent
  try {
    agent = await connectAgent({ url: opts.server, workspace: opts.workspace, token: opts.token, storeDir: opts.storeDir, role: opts.role })
  } catch (err) {
    const failure = classifyFailure(err)
    console.error(`cannot attach to ${opts.server} workspace ${opts.workspace}: ${failure.message}${failure.kind === 'fatal' ? ' (fatal: not retrying)' : ''}`)
    return failure.kind === 'fatal' ? EXIT.fatal : EXIT.error
  }
  log('attached', { principal: agent.principal.id, workspace: opts.workspace, connection: agent.connection })

  // Aborted on stop, so a model call in flight ends now rather than after its timeout and retries.
  const stopping = new AbortController()
  const budget = opts.maxTokensPerHour === undefined ? undefined : new TokenBudget(opts.maxTokensPerHour, clock)
  const gate = () => (budget ? waitForBudget(budget, agent, clock, stopping.signal) : Promise.resolve())
  const brain = brainFor(agent, opts, stopping.signal, memoryInstructions(persona, agent.memory()), budget)
  const activity = activityFor(agent, opts, brain, gate, clock)

  // A revoked token or removed membership ends the agent: restarting cannot help.
  let fatal: ((reason: string) => void) | undefined
  const fatalReason = new Promise<string>((resolve) => (fatal = resolve))
  agent.onDenied((reason) => fatal?.(reason))

  let stopped: Promise<void> | undefined
  const stop = (signal: string) =>
    (stopped ??= (async () => {
      log('stopping', { signal })
      stopping.abort()
      await activity.stop()
      agent.setStatus('idle', 'stopped')
      if (agent.connection === 'online') await Promise.race([agent.flushed(), new Promise((r) => setTimeout(r, 5000).unref())])
      await brain.close()
      agent.close()
    })())
  const onFatal = fatalReason.then(async (reason) => {
    console.error(`fatal: ${reason}; not retrying (fix the token or the membership)`)
    log('fatal', { reason })
    await stop('fatal')
    return EXIT.fatal
  })

  if (opts.once) {
    const done = activity.idle().then(async () => {
      if (agent.connection !== 'online') {
        // Reviewed from the local copy: say so and exit now; the next online run sends it.
        const pending = agent.pendingChanges()
        log(`working offline: ${pending} changes waiting to sync`, { pending, store: opts.storeDir })
        await stop('once')
        return EXIT.offline
      }
      await stop('once')
      return EXIT.ok
    })
    return Promise.race([done, onFatal])
  }
  return Promise.race([
    onFatal,
    new Promise<number>((resolve) => {
      const onSignal = (signal: string) => void stop(signal).then(() => resolve(EXIT.ok))
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
    }),
  ])
}

function activityFor(agent: Agent, opts: AgentOptions, brain: Brain, gate: () => Promise<void>, clock: Clock): Activity {
  const review = async (doc: string) => {
    await gate()
    const result = await brain.review(doc)
    log('reviewed', { doc, result })
    rememberLine(agent, `reviewed ${agent.title(doc)}: ${summaryOf(result)}`)
  }
  const doTask: DoTask = async (task, signal) => {
    const result = await brain.doTask(task, signal)
    if (result !== undefined) rememberLine(agent, `did task ${task.title}: ${summaryOf(result)}`)
    return result
  }
  const worker = (once: boolean) => runTaskWorker(agent, doTask, { leaseMs: opts.leaseMs, once, beforeTask: gate, log })

  if (opts.role === 'arbiter') {
    // Proposals need the server: offline there is nothing to judge.
    if (agent.connection !== 'online' && opts.once) return { idle: async () => {}, stop: async () => {} }
    const arbiter = runArbiter(agent, brain.arbitrate, { once: opts.once, log })
    return { idle: () => arbiter.idle(), stop: () => arbiter.stop() }
  }
  if (opts.worker && opts.once && agent.connection !== 'online') {
    // Claims need the server: nothing to do offline.
    return { idle: async () => {}, stop: async () => {} }
  }
  if (opts.everyMs !== undefined && !opts.once) {
    let current: Promise<unknown> = Promise.resolve()
    const schedule = runEvery(
      agent.principal.id,
      opts.everyMs,
      async (at) => {
        log('scheduled run', { at: new Date(at).toISOString() })
        current = opts.worker ? worker(true).done : reviewEach(agent, opts.docs, review)
        await current
      },
      clock,
    )
    return { idle: () => new Promise(() => {}), stop: async () => void (schedule.stop(), await current) }
  }
  if (opts.worker) {
    const w = worker(opts.once)
    // E.g. the task room refused: say so (a denied room also ends the agent as fatal).
    w.done.catch((err: unknown) => log('worker stopped', { error: (err as Error).message }))
    return { idle: () => w.done, stop: () => w.stop() }
  }
  const loop = watchDocuments(agent, review, { docs: opts.docs })
  return { idle: () => loop.idle(), stop: () => loop.stop() }
}

/** One pass over the wanted documents (a scheduled run). */
async function reviewEach(agent: Agent, docs: string[] | undefined, review: (doc: string) => Promise<void>): Promise<void> {
  const ids = docs ? docs.flatMap((d) => agent.documentIdIfAny(d) ?? []) : agent.documents()
  for (const id of ids) {
    try {
      await review(id)
    } catch (err) {
      log('review failed', { doc: id, error: (err as Error).message })
    }
  }
}

function summaryOf(result: unknown): string {
  if (result && typeof result === 'object') {
    const r = result as Record<string, unknown>
    const text = r.summary ?? r.outcome ?? (typeof r.findings === 'number' ? `${r.findings} findings` : undefined)
    if (typeof text === 'string') return text
  }
  return JSON.stringify(result).slice(0, 200)
}

interface Brain {
  review: (doc: string) => Promise<unknown>
  /** Resolves with a task's result, or undefined to hand it back. */
  doTask: DoTask
  /** Proposes a resolution of one conflict (the arbiter role). */
  arbitrate: Arbitrate
  /** Releases the model client and sends the last usage report. */
  close: () => Promise<void>
}

function brainFor(agent: Agent, opts: AgentOptions, signal: AbortSignal, instructions: string | undefined, budget: TokenBudget | undefined): Brain {
  const heuristicTask = heuristicTaskDoer(agent)
  if (opts.offlineReviewer || !opts.apiKey) {
    // No model: a heuristic reviewer (--offline-reviewer) and the heuristic worker, labelled as such.
    const heuristic = opts.offlineReviewer ? OFFLINE_REVIEWERS[opts.offlineReviewer] : undefined
    if (opts.worker) log('no model: tasks are done by the built-in ' + HEURISTIC_WORKER)
    if (opts.role === 'arbiter') log('no model: conflicts are judged by the built-in ' + HEURISTIC_ARBITER)
    return {
      arbitrate: heuristicArbitrate(agent, log),
      review: (doc) => (heuristic ? runOfflineReview(agent, heuristic, doc) : Promise.reject(new Error('no reviewer: pass --offline-reviewer or set ANTHROPIC_API_KEY'))),
      doTask: heuristicTask,
      close: async () => {},
    }
  }
  // A worker claims and completes itself; the model reads the task and does the work.
  // The arbiter proposes; it never resolves by editing the text itself.
  const all = workspaceToolsFor(agent)
  const tools =
    opts.role === 'arbiter'
      ? { ...all, replaceText: undefined, insertText: undefined }
      : { ...all, proposeResolution: undefined, ...(opts.worker ? { claimTask: undefined, completeTask: undefined } : {}) }
  const llm: LlmAgent = createLlmAgent({
    role: opts.role,
    name: agent.principal.id,
    instructions,
    model: opts.model,
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    maxTurns: 12,
    maxTokens: 2048,
    timeoutMs: 60_000,
    retry: { maxRetries: 4, initialDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 },
    breaker: { threshold: 5, halfOpenAfterMs: 30_000 },
    tools,
    onStatus: (s) => agent.setStatus(s.state, s.detail),
    fallback: opts.fallback === 'pause' ? 'pause' : heuristicFallback(agent, OFFLINE_REVIEWERS[opts.fallback]),
  })
  if (budget) llm.events.on('event', (e) => e.type === 'usage' && budget.record(e.inputTokens + e.outputTokens))
  // Model calls, tokens, errors, retries and breaker state go to the server's metrics.
  const judge = modelArbitrate(agent, llm, log)
  const usage = reportUsage(llm.events, (body) => agent.tasks.client.report(body), { model: opts.model })
  return {
    close: async () => {
      await usage.stop()
      llm.close()
    },
    arbitrate: async (record, arbitrateSignal) => {
      await judge(record, AbortSignal.any([signal, arbitrateSignal]))
      await usage.flush()
    },
    review: async (doc) => {
      const result = await runModelReview(agent, llm, doc, signal)
      await Promise.all([agent.flushedIfOnline(), usage.flush()])
      return { outcome: result.outcome, turns: result.turns, tokens: result.inputTokens + result.outputTokens, reason: result.reason }
    },
    doTask: async (task, taskSignal) => {
      const both = AbortSignal.any([signal, taskSignal])
      const result = await llm.doTask(task, { signal: both })
      await usage.flush()
      if (result.outcome !== 'completed' && result.outcome !== 'max-turns') {
        log('task not done', { task: task.id, outcome: result.outcome, reason: result.reason })
        return undefined
      }
      return { by: agent.principal.id, model: opts.model, summary: result.finalText ?? '', writes: result.writes.length, turns: result.turns }
    },
  }
}
