// Registry: principals and their tokens, workspaces, members, namespace submissions.
export { Registry, type RegistryChangeListener } from './Registry.ts'
export { SqliteRegistry } from './SqliteRegistry.ts'
export { PostgresRegistry } from './PostgresRegistry.ts'
export { DEFAULT_VISIBILITY } from './RegistryState.ts'
export type { RegistryChange } from './ops.ts'
export type { BootstrapResult } from './types.ts'
export { RegistryError, type RegistryErrorCode } from './errors.ts'
export {
  BootstrapSchema,
  NewPrincipalSchema,
  NewWorkspaceSchema,
  WorkspacePatchSchema,
  TokenSchema,
  type Bootstrap,
  type NewPrincipal,
  type NewWorkspace,
  type WorkspacePatch,
} from './schemas.ts'
export { generateToken, hashToken, tokenWeakness, TOKEN_PREFIX, MIN_TOKEN_LENGTH } from './tokens.ts'
