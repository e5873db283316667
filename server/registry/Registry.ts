// Identities and workspaces: principals with hashed bearer tokens, workspaces with their
// visibility, memberships with roles, and namespace submission marks. Lives on the server's
// SQLite database (server/db.ts); every method is synchronous (better-sqlite3).

import { migrate, type Database } from '../db.ts'
import type { Principal, Role, Visibility, Workspace } from '../../shared/model.ts'
import { RegistryError } from './errors.ts'
import { MEMBER_COLORS, REGISTRY_SCHEMA, REGISTRY_SETTINGS } from './sql.ts'
import { nextPaletteIndex, paletteColor } from '../../shared/presence/index.ts'
import { DEFAULT_WORKSPACE_SETTINGS, WorkspaceSettingsSchema, type WorkspaceSettings } from '../../shared/workspaceSettings.ts'
import { prepareStatements, type PrincipalRow } from './statements.ts'
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
import { RoleSchema } from '../../shared/api/schemas.ts'
import type { Member } from '../../shared/api/types.ts'

/** Fail closed: a workspace created without a setting hides namespaces from other editors. */
export const DEFAULT_VISIBILITY: Visibility = 'private'

const toPrincipal = (r: PrincipalRow): Principal => ({ id: r.id, kind: r.kind, name: r.name, admin: r.admin === 1 })
const isConstraint = (err: unknown, kind: string): boolean => (err as { code?: string })?.code === `SQLITE_CONSTRAINT_${kind}`

export class Registry {
  #db: Database
  #s: ReturnType<typeof prepareStatements>

  constructor(db: Database) {
    this.#db = db
    migrate(db, 'registry/1-init', REGISTRY_SCHEMA)
    migrate(db, 'registry/2-member-colors', MEMBER_COLORS)
    migrate(db, 'registry/3-settings', REGISTRY_SETTINGS)
    this.#s = prepareStatements(db)
    // Members from before colours were assigned get theirs now, in the order they joined.
    this.#db.transaction(() => {
      for (const m of this.#s.uncolored.all()) this.#assignColor(m.workspace, m.principal)
    })()
  }

  // --- principals ---

  /** Creates a principal; returns its token (the only time it is visible). */
  createPrincipal(input: NewPrincipal): { id: string; token: string } {
    const p = parseInput(NewPrincipalSchema, input, 'principal')
    const token = p.token ?? generateToken()
    try {
      this.#s.insertPrincipal.run(p.id, p.kind, p.name ?? p.id, p.admin ? 1 : 0, hashToken(token), Date.now())
    } catch (err) {
      if (isConstraint(err, 'PRIMARYKEY')) throw new RegistryError('conflict', `principal ${p.id} already exists`)
      if (isConstraint(err, 'UNIQUE')) throw new RegistryError('conflict', 'token already in use')
      throw err
    }
    return { id: p.id, token }
  }

  getPrincipal(id: string): Principal | null {
    const row = this.#s.principal.get(id)
    return row ? toPrincipal(row) : null
  }

  listPrincipals(): Array<Principal & { revoked: boolean }> {
    return this.#s.principals.all().map((r) => ({ ...toPrincipal(r), revoked: r.revoked_at !== null }))
  }

  /** The principal a bearer token belongs to, or null (unknown token or revoked principal). */
  authenticate(token: string): Principal | null {
    if (typeof token !== 'string' || token.length === 0) return null
    const row = this.#s.principalByToken.get(hashToken(token))
    return row ? toPrincipal(row) : null
  }

  /** Whether `token` belonged to a principal that was revoked (a stale client, not a guess). */
  isRevokedToken(token: string): boolean {
    return typeof token === 'string' && token.length > 0 && this.#s.revokedByToken.get(hashToken(token)) !== undefined
  }

  /** Disables the principal's token. The row stays so history can still name it. */
  revokePrincipal(id: string): void {
    if (this.#s.revoke.run(Date.now(), id).changes === 0) throw new RegistryError('not_found', `no principal ${id}`)
  }

  /**
   * Removes the principal's token without revoking it: nothing authenticates as it until a
   * token is set again (bootstrap or issueToken). Returns whether it had one.
   */
  clearToken(id: string): boolean {
    return this.#s.clearToken.run(id).changes > 0
  }

  /** Removes these tokens from whichever principals hold them; returns those principals' ids. */
  clearTokens(tokens: string[]): string[] {
    return this.#db.transaction(() => tokens.flatMap((t) => this.#s.clearTokenByHash.all(hashToken(t)).map((r) => r.id)))()
  }

  /** Replaces the principal's token (and lifts a revocation); returns the new token. */
  issueToken(id: string, token?: string): string {
    const next = token === undefined ? generateToken() : parseInput(TokenSchema, token, 'token')
    try {
      if (this.#s.setToken.run(hashToken(next), id).changes === 0) throw new RegistryError('not_found', `no principal ${id}`)
    } catch (err) {
      if (isConstraint(err, 'UNIQUE')) throw new RegistryError('conflict', 'token already in use')
      throw err
    }
    return next
  }

  // --- workspaces ---

  createWorkspace(input: NewWorkspace): Workspace {
    const w = parseInput(NewWorkspaceSchema, input, 'workspace')
    const ws: Workspace = { id: w.id, title: w.title ?? w.id, visibility: w.visibility ?? DEFAULT_VISIBILITY }
    this.#db.transaction(() => {
      if (this.#s.workspace.get(ws.id)) throw new RegistryError('conflict', `workspace ${ws.id} already exists`)
      this.#s.insertWorkspace.run(ws.id, ws.title, ws.visibility, Date.now())
      if (w.owner !== undefined) this.setMember(ws.id, w.owner, 'owner')
    })()
    return ws
  }

  getWorkspace(id: string): Workspace | null {
    return this.#s.workspace.get(id) ?? null
  }

  /** The workspace's namespace visibility, or null when there is no such workspace (AccessFacts). */
  visibility(id: string): Visibility | null {
    return this.getWorkspace(id)?.visibility ?? null
  }

  updateWorkspace(id: string, patch: WorkspacePatch): Workspace {
    const p = parseInput(WorkspacePatchSchema, patch, 'workspace patch')
    const row = this.#s.patchWorkspace.get(p.title ?? null, p.visibility ?? null, id)
    if (!row) throw new RegistryError('not_found', `no workspace ${id}`)
    return row
  }

  /** The workspace's settings (defaults for what was never set); null when there is no such workspace. */
  settings(id: string): WorkspaceSettings | null {
    const row = this.#s.settings.get(id)
    if (!row) return null
    const parsed = WorkspaceSettingsSchema.safeParse(JSON.parse(row.settings))
    // A row this version cannot read (written by a newer one) falls back to the safe defaults.
    return parsed.success ? parsed.data : DEFAULT_WORKSPACE_SETTINGS
  }

  /** Replaces the workspace's settings (validated whole); returns what is stored. */
  setSettings(id: string, settings: unknown): WorkspaceSettings {
    const valid = parseInput(WorkspaceSettingsSchema, settings, 'workspace settings')
    if (this.#s.setSettings.run(JSON.stringify(valid), id).changes === 0) throw new RegistryError('not_found', `no workspace ${id}`)
    return valid
  }

  listWorkspaces(): Workspace[] {
    return this.#s.workspaces.all()
  }

  /** Workspaces the principal is a member of, with its role there, by id. */
  listWorkspacesFor(principal: string): Array<Workspace & { role: Role }> {
    return this.#s.workspacesFor.all(principal)
  }

  // --- members ---

  /** Adds the principal to the workspace or changes its role. A workspace keeps at least one owner. */
  setMember(workspace: string, principal: string, role: Role): void {
    parseInput(RoleSchema, role, 'role')
    this.#db.transaction(() => {
      this.#requireWorkspace(workspace)
      if (!this.#s.principal.get(principal)) throw new RegistryError('not_found', `no principal ${principal}`)
      if (role !== 'owner') this.#keepAnOwner(workspace, principal, `cannot make ${principal} ${role}`)
      this.#s.upsertMember.run(workspace, principal, role)
      this.#assignColor(workspace, principal)
    })()
  }

  /** Gives a member without a colour the workspace's least used palette slot (once: it never changes). */
  #assignColor(workspace: string, principal: string): void {
    const row = this.#s.memberColor.get(workspace, principal)
    if (row === undefined || row.color !== null) return
    const taken = this.#s.colorsTaken.all(workspace).map((r) => r.color)
    this.#s.setColor.run(nextPaletteIndex(taken), workspace, principal)
  }

  /** The member's colour in the workspace (`#rrggbb`), or null when not a member. */
  colorOf(workspace: string, principal: string): string | null {
    const color = this.#s.memberColor.get(workspace, principal)?.color
    return color === undefined || color === null ? null : paletteColor(color)
  }

  /** Returns whether the principal was a member. The last owner cannot be removed. */
  removeMember(workspace: string, principal: string): boolean {
    return this.#db.transaction(() => {
      this.#requireWorkspace(workspace)
      this.#keepAnOwner(workspace, principal, `cannot remove ${principal}`)
      return this.#s.deleteMember.run(workspace, principal).changes > 0
    })()
  }

  /** Refuses (409) a change that would leave the workspace without an owner. */
  #keepAnOwner(workspace: string, principal: string, what: string): void {
    if (this.#s.member.get(workspace, principal)?.role !== 'owner') return
    if ((this.#s.owners.get(workspace)?.n ?? 0) > 1) return
    throw new RegistryError('conflict', `${what}: they are the last owner of ${workspace}; make another member owner first`)
  }

  /** Null when not a member, or when the workspace does not exist. */
  roleOf(workspace: string, principal: string): Role | null {
    return this.#s.member.get(workspace, principal)?.role ?? null
  }

  members(workspace: string): Member[] {
    this.#requireWorkspace(workspace)
    return this.#s.members.all(workspace).map((r) => ({ ...r, submitted: r.submitted === 1, color: paletteColor(r.color ?? 0) }))
  }

  /** Marks the principal's namespace review as submitted (or withdraws the mark). */
  setSubmitted(workspace: string, principal: string, submitted: boolean): void {
    const changes = this.#s.setSubmitted.run(submitted ? Date.now() : null, workspace, principal).changes
    if (changes === 0) throw new RegistryError('not_found', `${principal} is not a member of workspace ${workspace}`)
  }

  isSubmitted(workspace: string, principal: string): boolean {
    return (this.#s.member.get(workspace, principal)?.submitted_at ?? null) !== null
  }

  // --- bootstrap ---

  /**
   * Applies a declarative setup (see BootstrapSchema) in one transaction. Idempotent;
   * re-applying with a changed token replaces the stored hash. A revocation stays in force.
   */
  applyBootstrap(doc: unknown): BootstrapResult {
    const b = parseInput(BootstrapSchema, doc, 'bootstrap')
    const now = Date.now()
    const result: BootstrapResult = { principals: 0, workspaces: 0, members: 0 }
    this.#db.transaction(() => {
      for (const p of b.principals) {
        try {
          this.#s.upsertPrincipal.run({
            id: p.id,
            kind: p.kind,
            name: p.name ?? null,
            admin: p.admin === undefined ? null : p.admin ? 1 : 0,
            hash: hashToken(p.token),
            now,
          })
        } catch (err) {
          if (isConstraint(err, 'UNIQUE')) throw new RegistryError('conflict', `bootstrap: token of ${p.id} is already in use`)
          throw err
        }
        result.principals++
      }
      for (const w of b.workspaces) {
        this.#s.upsertWorkspace.run({ id: w.id, title: w.title ?? null, visibility: w.visibility ?? null, fallback: DEFAULT_VISIBILITY, now })
        result.workspaces++
        for (const [principal, role] of Object.entries(w.members)) {
          try {
            this.#s.upsertMember.run(w.id, principal, role)
            this.#assignColor(w.id, principal)
          } catch (err) {
            if (isConstraint(err, 'FOREIGNKEY')) throw new RegistryError('invalid', `bootstrap: workspace ${w.id} names unknown principal ${principal}`)
            throw err
          }
          result.members++
        }
      }
    })()
    return result
  }

  #requireWorkspace(id: string): void {
    if (!this.#s.workspace.get(id)) throw new RegistryError('not_found', `no workspace ${id}`)
  }
}
