// An LLM agent: the Messages API tool-use loop over a `WorkspaceTools` port, every call run
// under the resilience policies, with a fallback (pause, or an offline reviewer) when the
// model is unavailable. Start at `createLlmAgent` and `reviewDocument`.
import Anthropic from '@anthropic-ai/sdk'
import type { Message, MessageParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages'
import { classifyFailure, type Failure } from './failures.ts'
import { describeFailure, shouldFallBack, type FallbackOption } from './fallback.ts'
import { emptyAgentCounters, type AgentCounters, type AgentStatus, type LlmEvent, type LlmEventEmitter } from './events.ts'
import { arbitrateRequest, changedReviewRequest, reviewRequest, systemPrompt, taskRequest, type LlmRole, type TaskBrief } from './prompts.ts'
import type { ConflictRecord } from '../../shared/conflicts/index.ts'
import type { ReviewedTexts } from '../reviewers/changedStretches.ts'
import { createLlmPolicies, endpointKey, type BreakerOptions, type LlmPolicies, type RetryOptions } from './resilience.ts'
import { runToolCall, type ToolCallResult } from './toolCalls.ts'
import { toolDefinitions, type ToolName, type WorkspaceTools } from './tools.ts'
import { inSpan } from '../../shared/telemetry/trace.ts'

interface LlmAgentBaseOptions {
  role: LlmRole
  /** Label in events and metrics; defaults to the role. */
  name?: string
  /** Extra instructions appended to the role's system prompt. */
  instructions?: string
  model: string
  apiKey: string
  baseURL?: string
  maxTurns: number
  maxTokens: number
  tools: WorkspaceTools
  onStatus?: (status: AgentStatus) => void
  /** Defaults to 'pause'. */
  fallback?: FallbackOption
}

/** Either the agent builds its own policies, or it shares `policies` (and so the per-endpoint
 *  breakers and counters) with other agents. */
export type LlmAgentOptions = LlmAgentBaseOptions &
  ({ timeoutMs: number; retry: RetryOptions; breaker: BreakerOptions; policies?: never } | { policies: LlmPolicies; timeoutMs?: never; retry?: never; breaker?: never })

export type ReviewOutcome = 'completed' | 'max-turns' | 'paused' | 'offline' | 'failed' | 'cancelled'

export interface ReviewResult {
  doc: string
  outcome: ReviewOutcome
  /** Messages API calls that returned a response. */
  turns: number
  inputTokens: number
  outputTokens: number
  writes: Array<{ tool: ToolName; id: string; created: boolean }>
  rejectedToolCalls: number
  /** The model's closing text, when it ended the turn itself. */
  finalText?: string
  /** Why the review did not complete (paused, offline, failed). */
  reason?: string
  /** The stretches sent to the model: the whole text the first time, then the paragraphs changed since (none: no call). */
  read?: Array<{ start: number; end: number }>
}

export interface LlmAgent {
  readonly name: string
  readonly role: LlmRole
  /** The breaker key for this agent's model endpoint. */
  readonly endpoint: string
  readonly status: AgentStatus
  readonly counters: AgentCounters
  readonly policies: LlmPolicies
  readonly events: LlmEventEmitter
  /**
   * Reviews `doc`. With `reviewed` (what was read before, per document), only the paragraphs
   * changed since the last finished review are sent, and nothing at all when none changed;
   * without it, the whole text every time.
   */
  reviewDocument(doc: string, options?: { signal?: AbortSignal; reviewed?: ReviewedTexts }): Promise<ReviewResult>
  /** Does a task with the tools; `doc` in the result is the task id, `finalText` its result. */
  doTask(task: TaskBrief, options?: { signal?: AbortSignal }): Promise<ReviewResult>
  /** Judges an operational conflict with the tools; a `propose_resolution` write in the result is its proposal. `doc` is the conflict id. */
  arbitrate(conflict: ConflictRecord, options?: { signal?: AbortSignal }): Promise<ReviewResult>
  /** Releases the policies' timers when the agent owns them. */
  close(): void
}

export function createLlmAgent(options: LlmAgentOptions): LlmAgent {
  const { role, model, maxTurns, maxTokens, tools, onStatus, fallback = 'pause' } = options
  const name = options.name ?? role
  const ownsPolicies = options.policies === undefined
  const policies = options.policies ?? createLlmPolicies({ timeoutMs: options.timeoutMs, retry: options.retry, breaker: options.breaker })
  const endpoint = endpointKey(options.baseURL, model)
  // maxRetries: 0 — retries, backoff and timeouts are ours; the SDK timeout is only a backstop.
  const client = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    maxRetries: 0,
    timeout: policies.timeoutMs + 1_000,
  })
  const system = systemPrompt(role, options.instructions)
  const definitions = toolDefinitions(tools)
  const counters = emptyAgentCounters()
  let status: AgentStatus = { state: 'idle' }

  const emit = (event: LlmEvent) => policies.events.emit('event', event)
  function setStatus(state: AgentStatus['state'], detail?: string) {
    status = detail === undefined ? { state } : { state, detail }
    emit({ type: 'status', agent: name, status })
    onStatus?.(status)
  }

  function review(doc: string, signal: AbortSignal | undefined, reviewed: ReviewedTexts | undefined): Promise<ReviewResult> {
    return inSpan('agent.review', { 'polyphony.agent': name, 'polyphony.doc': doc }, async (span) => {
      const done = await reviewOnce(doc, signal, reviewed)
      span.setAttribute('polyphony.outcome', done.outcome)
      return done
    })
  }

  async function reviewOnce(doc: string, signal: AbortSignal | undefined, reviewed: ReviewedTexts | undefined): Promise<ReviewResult> {
    const result: ReviewResult = { doc, outcome: 'completed', turns: 0, inputTokens: 0, outputTokens: 0, writes: [], rejectedToolCalls: 0 }
    counters.reviews++
    setStatus('reading', doc)
    let text: string
    try {
      text = tools.readDocument(doc)
    } catch (error) {
      return fail(result, `cannot read "${doc}": ${error instanceof Error ? error.message : String(error)}`)
    }
    const { stretches, incremental } = reviewed?.toRead(doc, text) ?? { stretches: [{ start: 0, end: text.length, text }], incremental: false }
    result.read = stretches.map(({ start, end }) => ({ start, end }))
    if (incremental && stretches.length === 0) {
      setStatus('idle', `${doc}: nothing changed since the last review`)
      return result
    }
    const request = incremental ? changedReviewRequest(doc, stretches) : reviewRequest(doc, text)
    const done = await converse(result, request, doc, `reviewed ${doc}`, signal, (failure) => recover(result, failure, text, signal))
    // Only a finished reading counts: a paused or failed one reads the same stretches again next time.
    if (done.outcome === 'completed' || done.outcome === 'max-turns') reviewed?.reviewed(doc, text)
    return done
  }

  /** A task: the same tool loop, asked to do the task; the model's closing text is its result. */
  function doTask(task: TaskBrief, signal: AbortSignal | undefined): Promise<ReviewResult> {
    return inSpan('agent.task', { 'polyphony.agent': name, 'polyphony.task': task.id }, async (span) => {
      const done = await doTaskOnce(task, signal)
      span.setAttribute('polyphony.outcome', done.outcome)
      return done
    })
  }

  async function doTaskOnce(task: TaskBrief, signal: AbortSignal | undefined): Promise<ReviewResult> {
    const result: ReviewResult = { doc: task.id, outcome: 'completed', turns: 0, inputTokens: 0, outputTokens: 0, writes: [], rejectedToolCalls: 0 }
    return converse(result, taskRequest(task), `task ${task.title}`, `did task ${task.title}`, signal, (failure) => {
      // No heuristic can do an arbitrary task: an unavailable model pauses it (the worker hands it back).
      if (signal?.aborted || failure.kind === 'cancelled') return Promise.resolve(cancelled(result))
      if (!shouldFallBack(failure)) return Promise.resolve(fail(result, describeFailure(failure, { model, timeoutMs: policies.timeoutMs })))
      result.outcome = 'paused'
      result.reason = describeFailure(failure, { model, timeoutMs: policies.timeoutMs })
      setStatus('paused', `${result.reason}. Task handed back.`)
      return Promise.resolve(result)
    })
  }

  /** A conflict: the same tool loop; an unavailable model pauses (the caller may fall back to a rule). */
  async function arbitrate(conflict: ConflictRecord, signal: AbortSignal | undefined): Promise<ReviewResult> {
    const result: ReviewResult = { doc: conflict.id, outcome: 'completed', turns: 0, inputTokens: 0, outputTokens: 0, writes: [], rejectedToolCalls: 0 }
    return converse(result, arbitrateRequest(conflict), `conflict ${conflict.id}`, `judged conflict ${conflict.id}`, signal, (failure) => {
      if (signal?.aborted || failure.kind === 'cancelled') return Promise.resolve(cancelled(result))
      if (!shouldFallBack(failure)) return Promise.resolve(fail(result, describeFailure(failure, { model, timeoutMs: policies.timeoutMs })))
      result.outcome = 'paused'
      result.reason = describeFailure(failure, { model, timeoutMs: policies.timeoutMs })
      setStatus('paused', result.reason)
      return Promise.resolve(result)
    })
  }

  async function converse(
    result: ReviewResult,
    request: string,
    label: string,
    doneText: string,
    signal: AbortSignal | undefined,
    onFailure: (failure: Failure) => Promise<ReviewResult>,
  ): Promise<ReviewResult> {
    const messages: MessageParam[] = [{ role: 'user', content: request }]
    const call = (attemptSignal: AbortSignal): Promise<Message> =>
      client.messages.create({ model, max_tokens: maxTokens, system, tools: definitions, messages }, { signal: attemptSignal })

    for (let turn = 1; turn <= maxTurns; turn++) {
      setStatus('thinking', `${label}: turn ${turn}`)
      let response: Message
      try {
        // One span per model call (retries and breaker changes are its events); GenAI semantic conventions.
        response = await inSpan(
          `chat ${model}`,
          { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'anthropic', 'gen_ai.request.model': model, 'polyphony.agent': name },
          async (span) => {
            const answer = await policies.execute(endpoint, call, signal)
            span.setAttributes({
              'gen_ai.usage.input_tokens': answer.usage?.input_tokens ?? 0,
              'gen_ai.usage.output_tokens': answer.usage?.output_tokens ?? 0,
              'gen_ai.response.finish_reasons': [answer.stop_reason ?? 'unknown'],
            })
            return answer
          },
        )
      } catch (error) {
        return onFailure(classifyFailure(error))
      }
      recordUsage(result, response)
      messages.push({ role: 'assistant', content: response.content })
      const uses = response.content.filter((block): block is ToolUseBlock => block.type === 'tool_use')
      if (response.stop_reason !== 'tool_use' || uses.length === 0) {
        const closing = response.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n')
        if (closing) result.finalText = closing
        setStatus('idle', doneText)
        return result
      }
      const replies: ToolCallResult[] = []
      for (const use of uses) replies.push(await runTool(result, use))
      messages.push({ role: 'user', content: replies.map((reply) => reply.result) })
    }
    result.outcome = 'max-turns'
    setStatus('idle', `stopped ${label} after ${maxTurns} turns`)
    return result
  }

  function cancelled(result: ReviewResult): ReviewResult {
    result.outcome = 'cancelled'
    result.reason = 'cancelled'
    setStatus('idle', result.reason)
    return result
  }

  function recordUsage(result: ReviewResult, response: Message) {
    const inputTokens = response.usage?.input_tokens ?? 0
    const outputTokens = response.usage?.output_tokens ?? 0
    result.turns++
    result.inputTokens += inputTokens
    result.outputTokens += outputTokens
    counters.turns++
    counters.inputTokens += inputTokens
    counters.outputTokens += outputTokens
    emit({ type: 'usage', agent: name, endpoint, inputTokens, outputTokens })
  }

  async function runTool(result: ReviewResult, use: ToolUseBlock): Promise<ToolCallResult> {
    counters.toolCalls++
    // The edits a tool makes carry this span's context to the server (shared/causal.ts).
    const reply = await inSpan(`execute_tool ${use.name}`, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': use.name, 'polyphony.agent': name }, async (span) => {
      const r = await runToolCall(tools, use, (phase, detail) => setStatus(phase, detail))
      span.setAttribute('polyphony.tool.outcome', r.outcome)
      return r
    })
    if (reply.outcome === 'rejected') {
      counters.rejectedToolCalls++
      result.rejectedToolCalls++
    }
    if (reply.write) {
      result.writes.push(reply.write)
      if (reply.write.created) counters.writes++
      else counters.duplicateWrites++
    }
    emit({ type: 'tool', agent: name, tool: use.name, outcome: reply.outcome, ...(reply.detail ? { detail: reply.detail } : {}) })
    return reply
  }

  async function recover(result: ReviewResult, failure: Failure, text: string, signal?: AbortSignal): Promise<ReviewResult> {
    if (signal?.aborted || failure.kind === 'cancelled') {
      cancelled(result).reason = 'the review was cancelled'
      return result
    }
    const context = { model, timeoutMs: policies.timeoutMs }
    if (!shouldFallBack(failure)) return fail(result, describeFailure(failure, context))
    let reason = describeFailure(failure, context)
    const last = policies.lastFailure(endpoint)
    if (failure.kind === 'breaker-open' && last) reason += `; last failure: ${describeFailure(last, context)}`
    counters.fallbacks++
    result.reason = reason
    if (fallback === 'pause') {
      result.outcome = 'paused'
      emit({ type: 'fallback', agent: name, mode: 'pause', reason })
      setStatus('paused', `${reason}. Paused; the next review will try again.`)
      return result
    }
    emit({ type: 'fallback', agent: name, mode: 'offline', reason })
    setStatus('thinking', `offline review of ${result.doc} (${reason})`)
    try {
      await fallback.review(text, result.doc)
    } catch (error) {
      return fail(result, `offline reviewer failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    result.outcome = 'offline'
    setStatus('idle', `reviewed ${result.doc} offline (${reason})`)
    return result
  }

  function fail(result: ReviewResult, reason: string): ReviewResult {
    result.outcome = 'failed'
    result.reason = reason
    setStatus('error', reason)
    return result
  }

  return {
    name,
    role,
    endpoint,
    get status() {
      return status
    },
    counters,
    policies,
    events: policies.events,
    reviewDocument: (doc, reviewOptions) => review(doc, reviewOptions?.signal, reviewOptions?.reviewed),
    doTask: (task, taskOptions) => doTask(task, taskOptions?.signal),
    arbitrate: (conflict, arbitrateOptions) => arbitrate(conflict, arbitrateOptions?.signal),
    close() {
      if (ownsPolicies) policies.dispose()
    },
  }
}
