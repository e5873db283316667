// Coordination layer (server side): start with Coordinator (store + reflection + expiry timer),
// TaskStore (the port; SqliteTaskStore and PostgresTaskStore apply the lease policy transactionally). Its HTTP API is server/http/routes/tasks.ts (docs/tasks.md).
export { Coordinator, type CoordinatorOptions, type CoordinatorEvents } from './Coordinator.ts'
export type { TaskStore, NewTask, ImportedTask, ClaimResult, FencedResult, ClaimLogQuery } from './TaskStore.ts'
export { SqliteTaskStore, type TaskStoreOptions } from './SqliteTaskStore.ts'
export { AgentReports } from './AgentReports.ts'
export type { AgentReportStore } from './AgentReportStore.ts'
export { SqliteAgentReportStore } from './SqliteAgentReportStore.ts'
export { teamMetricsFor, type TeamMetricsQuery } from './teamMetricsFor.ts'
export { CoordError, type CoordErrorCode } from './errors.ts'
