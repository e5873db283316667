// The agent SDK: attach headless agents to a Polyphony workspace.
export { connectAgent, type ConnectAgentOptions } from './sdk/connectAgent.ts'
export { Agent, type AgentState, type ConflictChoice, type SubmitResult, type Target, type WriteResult } from './sdk/Agent.ts'
export type { ConflictFollower } from './sdk/conflictEvents.ts'
export { ApiClient, ApiRequestError } from '../shared/api/index.ts'
export { RoomSync, type SyncState } from './sdk/RoomSync.ts'
export { AgentTasks, type Claimed } from './sdk/AgentTasks.ts'
