// LLM agents: the Messages API tool-use loop (runner.ts) over a small workspace port
// (tools.ts), behind cockatiel resilience policies (resilience.ts) with a fallback.
export { createLlmAgent } from './runner.ts'
export type { LlmAgent, LlmAgentOptions, ReviewOutcome, ReviewResult } from './runner.ts'
export { createLlmPolicies, endpointKey } from './resilience.ts'
export type { BreakerOptions, LlmPolicies, LlmPolicyOptions, RetryOptions } from './resilience.ts'
export { classifyFailure, isTransient, parseRetryAfter, TRANSIENT_KINDS } from './failures.ts'
export type { Failure, FailureKind } from './failures.ts'
export { describeFailure, shouldFallBack } from './fallback.ts'
export type { FallbackOption, OfflineFallback } from './fallback.ts'
export { createLlmEventEmitter, emptyAgentCounters, emptyPolicyCounters } from './events.ts'
export type { AgentCounters, AgentState, AgentStatus, BreakerState, LlmEvent, LlmEventEmitter, PolicyCounters, ToolOutcome } from './events.ts'
export {
  TOOL_SCHEMAS,
  annotateInput,
  claimTaskInput,
  completeTaskInput,
  listDocumentsInput,
  noteInput,
  proposeInput,
  readDocumentInput,
  readTaskInput,
  replaceTextInput,
  insertTextInput,
  proposeResolutionInput,
  toolDefinitions,
} from './tools.ts'
export type {
  AnnotateInput,
  ClaimTaskInput,
  CompleteTaskInput,
  NoteInput,
  ProposeInput,
  ReplaceTextInput,
  InsertTextInput,
  ProposeResolutionInput,
  EditOutcome,
  ToolName,
  WorkspaceTools,
  WriteResult,
} from './tools.ts'
export { runToolCall } from './toolCalls.ts'
export type { ToolCallResult, ToolPhase, ToolUse } from './toolCalls.ts'
export { createMemoryWorkspaceTools } from './memoryTools.ts'
export type { MemoryWorkspaceTools, MemoryWrite } from './memoryTools.ts'
export { LLM_ROLES, arbitrateRequest, reviewRequest, systemPrompt, taskRequest } from './prompts.ts'
export type { LlmRole, TaskBrief } from './prompts.ts'
