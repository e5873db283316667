// Document storage: the port, its backends and the compaction policy.
export type { AttributionEntry, DocumentStorage, RoomState, StoredUpdate, UpdateMeta, WriteCount, WriteRecord } from './DocumentStorage.ts'
export { MemoryStorage } from './MemoryStorage.ts'
export { SqliteStorage } from './SqliteStorage.ts'
export { PostgresStorage } from './PostgresStorage.ts'
export { Fenced, OwnedElsewhere } from './ownership.ts'
export { shouldCompact, DEFAULT_COMPACTION_LIMITS, type CompactionStats, type CompactionLimits } from './compaction.ts'
export type { NewUpdate } from './validate.ts'
