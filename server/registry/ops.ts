// Registry writes as data. Every write becomes one op, applied by RegistryState: on SQLite at
// once, on Postgres after it is appended to the shared op log that every instance replays.
// An op carries everything it needs (times, token hashes): replaying it anywhere, any number of
// times from the same state, gives the same state. Never a token, only its hash.

import type { PrincipalKind, Role, Visibility, Workspace } from '../../shared/model.ts'
import type { WorkspaceSettings } from '../../shared/workspaceSettings.ts'
import type { BootstrapResult } from './types.ts'

export interface BootstrapPrincipalOp {
  id: string
  kind: PrincipalKind
  name?: string
  admin?: boolean
  tokenHash: string
}

export interface BootstrapWorkspaceOp {
  id: string
  title?: string
  visibility?: Visibility
  members: Record<string, Role>
}

export type RegistryOp =
  | { t: 'createPrincipal'; id: string; kind: PrincipalKind; name: string; admin: boolean; tokenHash: string; at: number }
  | { t: 'revokePrincipal'; id: string; at: number }
  | { t: 'clearToken'; id: string }
  | { t: 'clearTokens'; hashes: string[] }
  | { t: 'setToken'; id: string; tokenHash: string }
  | { t: 'createWorkspace'; id: string; title: string; visibility: Visibility; owner?: string; at: number }
  | { t: 'updateWorkspace'; id: string; title?: string; visibility?: Visibility }
  | { t: 'setSettings'; id: string; settings: WorkspaceSettings }
  | { t: 'setMember'; workspace: string; principal: string; role: Role }
  | { t: 'removeMember'; workspace: string; principal: string }
  | { t: 'setSubmitted'; workspace: string; principal: string; at: number | null }
  | { t: 'bootstrap'; principals: BootstrapPrincipalOp[]; workspaces: BootstrapWorkspaceOp[]; at: number }

/** What applying each kind of op answers (the write method's result). */
export interface OpResults {
  createPrincipal: void
  revokePrincipal: void
  clearToken: boolean
  clearTokens: string[]
  setToken: void
  createWorkspace: Workspace
  updateWorkspace: Workspace
  setSettings: WorkspaceSettings
  setMember: void
  removeMember: boolean
  setSubmitted: void
  bootstrap: BootstrapResult
}

export type ResultOf<O extends RegistryOp> = OpResults[O['t']]

/**
 * What an applied op changed that open sockets and event streams must react to, emitted on
 * every instance (the one that wrote it and those that replayed it): server/registryEffects.ts.
 */
export type RegistryChange =
  /** The principal's token stopped working: revoked, rotated or cleared. */
  | { kind: 'token'; principal: string; why: 'revoked' | 'rotated' | 'cleared' }
  /** Role set (null: removed from the workspace). */
  | { kind: 'member'; workspace: string; principal: string; role: Role | null }
  | { kind: 'submitted'; workspace: string; principal: string; submitted: boolean }
  | { kind: 'visibility'; workspace: string; visibility: Visibility }
