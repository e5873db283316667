// Coordination layer (server side): start with Coordinator (store + reflection + expiry timer),
// TaskStore (the transactional lease logic). Its HTTP API is server/http/routes/tasks.ts (docs/tasks.md).
export { Coordinator, type CoordinatorOptions, type CoordinatorEvents } from './Coordinator.ts'
export { TaskStore, type TaskStoreOptions, type NewTask, type ClaimResult, type FencedResult } from './TaskStore.ts'
export { AgentReports } from './AgentReports.ts'
export { teamMetricsFor, type TeamMetricsQuery } from './teamMetricsFor.ts'
export { CoordError, type CoordErrorCode } from './errors.ts'
