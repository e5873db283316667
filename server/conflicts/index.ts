// Server-side operational conflict detection for `shared` rooms. Start at ConflictDetector.ts.
export { ConflictDetector } from './ConflictDetector.ts'
export type { Writer, CausalMeta, DetectorOptions } from './ConflictDetector.ts'
