// An LLM agent against the local fake Messages API with policies fit for tests: a 5 s timeout,
// no retries unless asked, a breaker that does not open on the handful of calls a test makes.
import { createLlmAgent, type LlmAgent, type LlmRole, type RetryOptions, type WorkspaceTools } from '../../agents/llm/index.ts'

export interface TestLlmAgentOptions {
  role: LlmRole
  tools: WorkspaceTools
  name?: string
  maxTurns?: number
  retry?: RetryOptions
}

export function testLlmAgent(api: { url: string }, { role, tools, name, maxTurns = 4, retry }: TestLlmAgentOptions): LlmAgent {
  return createLlmAgent({
    role,
    ...(name === undefined ? {} : { name }),
    model: 'claude-test',
    apiKey: 'test-key',
    baseURL: api.url,
    maxTurns,
    maxTokens: 1024,
    timeoutMs: 5_000,
    retry: retry ?? { maxRetries: 0, initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1_000 },
    breaker: { threshold: 10, halfOpenAfterMs: 60_000 },
    tools,
  })
}
