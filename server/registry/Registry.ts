// Identities and workspaces: principals with hashed bearer tokens, workspaces with their
// visibility, memberships with roles, colours, settings and namespace submission marks.
//
// The port every server uses, on SQLite (SqliteRegistry) or Postgres (PostgresRegistry).
// Reads are synchronous: they run for every socket and request, from a local RegistryState
// (the server's SQLite file, or on Postgres an in-memory replica of the shared op log).
// Writes are rare and async: each validates its input here, becomes one op (ops.ts) carrying
// every generated value, and is committed by the subclass (`commit`). What a write changed is
// announced to `onChange` listeners on every instance, whichever instance wrote it.

import type { Principal, Role, Visibility, Workspace } from '../../shared/model.ts'
import type { WorkspaceSettings } from '../../shared/workspaceSettings.ts'
import { WorkspaceSettingsSchema } from '../../shared/workspaceSettings.ts'
import type { Member } from '../../shared/api/types.ts'
import { RoleSchema } from '../../shared/api/schemas.ts'
import type { BootstrapResult } from './types.ts'
import {
  BootstrapSchema,
  NewPrincipalSchema,
  NewWorkspaceSchema,
  TokenSchema,
  WorkspacePatchSchema,
  parseInput,
  type NewPrincipal,
  type NewWorkspace,
  type WorkspacePatch,
} from './schemas.ts'
import { generateToken, hashToken } from './tokens.ts'
import { DEFAULT_VISIBILITY, type RegistryState } from './RegistryState.ts'
import type { RegistryChange, RegistryOp, ResultOf } from './ops.ts'

export type RegistryChangeListener = (change: RegistryChange) => void

export abstract class Registry {
  protected readonly state: RegistryState
  readonly #listeners = new Set<RegistryChangeListener>()

  protected constructor(state: RegistryState) {
    this.state = state
  }

  /** Commits `op`: applied to the state (or refused with a RegistryError, changing nothing), then announced. */
  protected abstract commit<O extends RegistryOp>(op: O): Promise<ResultOf<O>>

  /**
   * Brings the local state up to what other instances committed; resolves whether anything new
   * was applied. Auth paths call it before refusing a token or a room the state does not know yet.
   */
  abstract refresh(): Promise<boolean>

  abstract close(): Promise<void>

  /** Calls `listener` with every change applied from now on, written here or by another instance. */
  onChange(listener: RegistryChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  protected announce(changes: RegistryChange[]): void {
    for (const change of changes) for (const listener of this.#listeners) listener(change)
  }

  // --- principals ---

  /** Creates a principal; returns its token (the only time it is visible). */
  async createPrincipal(input: NewPrincipal): Promise<{ id: string; token: string }> {
    const p = parseInput(NewPrincipalSchema, input, 'principal')
    const token = p.token ?? generateToken()
    await this.commit({ t: 'createPrincipal', id: p.id, kind: p.kind, name: p.name ?? p.id, admin: p.admin === true, tokenHash: hashToken(token), at: Date.now() })
    return { id: p.id, token }
  }

  getPrincipal(id: string): Principal | null {
    return this.state.getPrincipal(id)
  }

  listPrincipals(): Array<Principal & { revoked: boolean }> {
    return this.state.listPrincipals()
  }

  /** The principal a bearer token belongs to, or null (unknown token or revoked principal). */
  authenticate(token: string): Principal | null {
    return this.state.authenticate(token)
  }

  /** Whether `token` belonged to a principal that was revoked (a stale client, not a guess). */
  isRevokedToken(token: string): boolean {
    return this.state.isRevokedToken(token)
  }

  /** Disables the principal's token. The row stays so history can still name it. */
  async revokePrincipal(id: string): Promise<void> {
    return this.commit({ t: 'revokePrincipal', id, at: Date.now() })
  }

  /**
   * Removes the principal's token without revoking it: nothing authenticates as it until a
   * token is set again (bootstrap or issueToken). Returns whether it had one.
   */
  async clearToken(id: string): Promise<boolean> {
    return this.commit({ t: 'clearToken', id })
  }

  /** Removes these tokens from whichever principals hold them; returns those principals' ids. */
  async clearTokens(tokens: string[]): Promise<string[]> {
    return this.commit({ t: 'clearTokens', hashes: tokens.map(hashToken) })
  }

  /** Replaces the principal's token (and lifts a revocation); returns the new token. */
  async issueToken(id: string, token?: string): Promise<string> {
    const next = token === undefined ? generateToken() : parseInput(TokenSchema, token, 'token')
    await this.commit({ t: 'setToken', id, tokenHash: hashToken(next) })
    return next
  }

  // --- workspaces ---

  async createWorkspace(input: NewWorkspace): Promise<Workspace> {
    const w = parseInput(NewWorkspaceSchema, input, 'workspace')
    const visibility: Visibility = w.visibility ?? DEFAULT_VISIBILITY
    return this.commit({ t: 'createWorkspace', id: w.id, title: w.title ?? w.id, visibility, ...(w.owner === undefined ? {} : { owner: w.owner }), at: Date.now() })
  }

  getWorkspace(id: string): Workspace | null {
    return this.state.getWorkspace(id)
  }

  /** The workspace's namespace visibility, or null when there is no such workspace (AccessFacts). */
  visibility(id: string): Visibility | null {
    return this.getWorkspace(id)?.visibility ?? null
  }

  async updateWorkspace(id: string, patch: WorkspacePatch): Promise<Workspace> {
    const p = parseInput(WorkspacePatchSchema, patch, 'workspace patch')
    return this.commit({ t: 'updateWorkspace', id, ...p })
  }

  /** The workspace's settings (defaults for what was never set); null when there is no such workspace. */
  settings(id: string): WorkspaceSettings | null {
    return this.state.settings(id)
  }

  /** Replaces the workspace's settings (validated whole); returns what is stored. */
  async setSettings(id: string, settings: unknown): Promise<WorkspaceSettings> {
    return this.commit({ t: 'setSettings', id, settings: parseInput(WorkspaceSettingsSchema, settings, 'workspace settings') })
  }

  listWorkspaces(): Workspace[] {
    return this.state.listWorkspaces()
  }

  /** Workspaces the principal is a member of, with its role there, by id. */
  listWorkspacesFor(principal: string): Array<Workspace & { role: Role }> {
    return this.state.listWorkspacesFor(principal)
  }

  // --- members ---

  /** Adds the principal to the workspace or changes its role. A workspace keeps at least one owner. */
  async setMember(workspace: string, principal: string, role: Role): Promise<void> {
    return this.commit({ t: 'setMember', workspace, principal, role: parseInput(RoleSchema, role, 'role') })
  }

  /** The member's colour in the workspace (`#rrggbb`), or null when not a member. */
  colorOf(workspace: string, principal: string): string | null {
    return this.state.colorOf(workspace, principal)
  }

  /** Returns whether the principal was a member. The last owner cannot be removed. */
  async removeMember(workspace: string, principal: string): Promise<boolean> {
    return this.commit({ t: 'removeMember', workspace, principal })
  }

  /** Null when not a member, or when the workspace does not exist. */
  roleOf(workspace: string, principal: string): Role | null {
    return this.state.roleOf(workspace, principal)
  }

  members(workspace: string): Member[] {
    return this.state.members(workspace)
  }

  /** Marks the principal's namespace review as submitted (or withdraws the mark). */
  async setSubmitted(workspace: string, principal: string, submitted: boolean): Promise<void> {
    return this.commit({ t: 'setSubmitted', workspace, principal, at: submitted ? Date.now() : null })
  }

  isSubmitted(workspace: string, principal: string): boolean {
    return this.state.isSubmitted(workspace, principal)
  }

  // --- bootstrap ---

  /**
   * Applies a declarative setup (see BootstrapSchema) at once. Idempotent (so instances
   * starting together may all apply it); re-applying with a changed token replaces the stored
   * hash. A revocation stays in force.
   */
  async applyBootstrap(doc: unknown): Promise<BootstrapResult> {
    const b = parseInput(BootstrapSchema, doc, 'bootstrap')
    return this.commit({
      t: 'bootstrap',
      principals: b.principals.map(({ token, ...p }) => ({ ...p, tokenHash: hashToken(token) })),
      workspaces: b.workspaces.map((w) => ({ ...w })),
      at: Date.now(),
    })
  }
}
