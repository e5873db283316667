// Server-side operational conflicts, the folder's public face: code outside server/conflicts
// imports from here only. ConflictService ties the parts together (detector per shared room,
// durable log, budget, resolution); start at ConflictDetector.ts for how a conflict is found.
export { ConflictDetector } from './ConflictDetector.ts'
export type { DetectorOptions } from './ConflictDetector.ts'
export type { Writer, CausalMeta } from '../core/writer.ts'
export { ConflictService, type Choice, type ConflictServiceOptions } from './ConflictService.ts'
export type { ConflictLog } from './ConflictLog.ts'
export type { ClientOwners } from './ClientOwners.ts'
export { SqliteConflictLog } from './SqliteConflictLog.ts'
export { SqliteClientOwners } from './SqliteClientOwners.ts'
// The Postgres stores are not exported here: importing them loads node-postgres, which a SQLite
// server never needs. openConflictStores imports them when the server runs on Postgres.
export { ConflictBudget, DEFAULT_CONFLICT_BUDGET, type ConflictBudgetLimits } from './ConflictBudget.ts'
export { openConflictStores } from './openConflictStores.ts'
