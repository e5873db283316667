// The registry's state on a SQLite database, and the one place its rules are applied: every
// write is an op (ops.ts) applied here — validated against the current state, refused with a
// RegistryError, or applied in one transaction. SqliteRegistry applies ops to the server's
// file; PostgresRegistry applies the shared op log to an in-memory replica, so the rules
// (keep an owner, colour assignment, unique tokens) are written once.

import { migrate, type Database } from '../db.ts'
import type { Principal, Role, Visibility, Workspace } from '../../shared/model.ts'
import { RegistryError } from './errors.ts'
import { MEMBER_COLORS, REGISTRY_SCHEMA, REGISTRY_SETTINGS } from './sql.ts'
import { nextPaletteIndex, paletteColor } from '../../shared/presence/index.ts'
import { DEFAULT_WORKSPACE_SETTINGS, WorkspaceSettingsSchema, type WorkspaceSettings } from '../../shared/workspaceSettings.ts'
import { prepareStatements, type PrincipalRow } from './statements.ts'
import type { BootstrapResult } from './types.ts'
import { hashToken } from './tokens.ts'
import type { Member } from '../../shared/api/types.ts'
import type { RegistryChange, RegistryOp, ResultOf } from './ops.ts'

/** Fail closed: a workspace created without a setting hides namespaces from other editors. */
export const DEFAULT_VISIBILITY: Visibility = 'private'

const toPrincipal = (r: PrincipalRow): Principal => ({ id: r.id, kind: r.kind, name: r.name, admin: r.admin === 1 })
const isConstraint = (err: unknown, kind: string): boolean => (err as { code?: string })?.code === `SQLITE_CONSTRAINT_${kind}`

export interface Applied<R> {
  result: R
  changes: RegistryChange[]
  /** Whether any row changed: an op that changed nothing need not be logged. */
  wrote: boolean
}

/** Thrown inside a transaction to roll back a trial application. */
const TRIAL = Symbol('trial')

export class RegistryState {
  readonly #db: Database
  readonly #s: ReturnType<typeof prepareStatements>
  readonly #totalChanges: { get(): unknown }

  constructor(db: Database) {
    this.#db = db
    migrate(db, 'registry/1-init', REGISTRY_SCHEMA)
    migrate(db, 'registry/2-member-colors', MEMBER_COLORS)
    migrate(db, 'registry/3-settings', REGISTRY_SETTINGS)
    this.#s = prepareStatements(db)
    this.#totalChanges = db.prepare('SELECT total_changes() AS n').pluck()
    // Members from before colours were assigned get theirs now, in the order they joined.
    this.#db.transaction(() => {
      for (const m of this.#s.uncolored.all()) this.#assignColor(m.workspace, m.principal)
    })()
  }

  /** Applies `op` in one transaction, or throws (RegistryError) and changes nothing. */
  apply<O extends RegistryOp>(op: O): Applied<ResultOf<O>> {
    return this.#db.transaction(() => this.#applyCounted(op))()
  }

  /** Applies `op` and rolls it back: what apply() would answer now, changing nothing. */
  trial<O extends RegistryOp>(op: O): Applied<ResultOf<O>> {
    let out: Applied<ResultOf<O>> | undefined
    try {
      this.#db.transaction(() => {
        out = this.#applyCounted(op)
        throw TRIAL
      })()
    } catch (err) {
      if (err !== TRIAL) throw err
    }
    return out as Applied<ResultOf<O>>
  }

  #applyCounted<O extends RegistryOp>(op: O): Applied<ResultOf<O>> {
    const before = Number(this.#totalChanges.get())
    const changes: RegistryChange[] = []
    const result = this.#apply(op, changes) as ResultOf<O>
    return { result, changes, wrote: Number(this.#totalChanges.get()) !== before }
  }

  #apply(op: RegistryOp, changes: RegistryChange[]): unknown {
    switch (op.t) {
      case 'createPrincipal':
        try {
          this.#s.insertPrincipal.run(op.id, op.kind, op.name, op.admin ? 1 : 0, op.tokenHash, op.at)
        } catch (err) {
          if (isConstraint(err, 'PRIMARYKEY')) throw new RegistryError('conflict', `principal ${op.id} already exists`)
          if (isConstraint(err, 'UNIQUE')) throw new RegistryError('conflict', 'token already in use')
          throw err
        }
        return undefined
      case 'revokePrincipal':
        if (this.#s.revoke.run(op.at, op.id).changes === 0) throw new RegistryError('not_found', `no principal ${op.id}`)
        changes.push({ kind: 'token', principal: op.id, why: 'revoked' })
        return undefined
      case 'clearToken': {
        const cleared = this.#s.clearToken.run(op.id).changes > 0
        if (cleared) changes.push({ kind: 'token', principal: op.id, why: 'cleared' })
        return cleared
      }
      case 'clearTokens': {
        const ids = op.hashes.flatMap((h) => this.#s.clearTokenByHash.all(h).map((r) => r.id))
        for (const id of ids) changes.push({ kind: 'token', principal: id, why: 'cleared' })
        return ids
      }
      case 'setToken':
        try {
          if (this.#s.setToken.run(op.tokenHash, op.id).changes === 0) throw new RegistryError('not_found', `no principal ${op.id}`)
        } catch (err) {
          if (isConstraint(err, 'UNIQUE')) throw new RegistryError('conflict', 'token already in use')
          throw err
        }
        changes.push({ kind: 'token', principal: op.id, why: 'rotated' })
        return undefined
      case 'createWorkspace': {
        const ws: Workspace = { id: op.id, title: op.title, visibility: op.visibility }
        if (this.#s.workspace.get(ws.id)) throw new RegistryError('conflict', `workspace ${ws.id} already exists`)
        this.#s.insertWorkspace.run(ws.id, ws.title, ws.visibility, op.at)
        if (op.owner !== undefined) this.#setMember(ws.id, op.owner, 'owner', changes)
        return ws
      }
      case 'updateWorkspace': {
        const before = this.#s.workspace.get(op.id)
        const row = this.#s.patchWorkspace.get(op.title ?? null, op.visibility ?? null, op.id)
        if (!row) throw new RegistryError('not_found', `no workspace ${op.id}`)
        if (before && before.visibility !== row.visibility) changes.push({ kind: 'visibility', workspace: op.id, visibility: row.visibility })
        return row
      }
      case 'setSettings':
        if (this.#s.setSettings.run(JSON.stringify(op.settings), op.id).changes === 0) throw new RegistryError('not_found', `no workspace ${op.id}`)
        return op.settings
      case 'setMember':
        this.#setMember(op.workspace, op.principal, op.role, changes)
        return undefined
      case 'removeMember': {
        this.#requireWorkspace(op.workspace)
        this.#keepAnOwner(op.workspace, op.principal, `cannot remove ${op.principal}`)
        const removed = this.#s.deleteMember.run(op.workspace, op.principal).changes > 0
        if (removed) changes.push({ kind: 'member', workspace: op.workspace, principal: op.principal, role: null })
        return removed
      }
      case 'setSubmitted':
        if (this.#s.setSubmitted.run(op.at, op.workspace, op.principal).changes === 0) {
          throw new RegistryError('not_found', `${op.principal} is not a member of workspace ${op.workspace}`)
        }
        changes.push({ kind: 'submitted', workspace: op.workspace, principal: op.principal, submitted: op.at !== null })
        return undefined
      case 'bootstrap':
        return this.#bootstrap(op)
    }
  }

  #setMember(workspace: string, principal: string, role: Role, changes: RegistryChange[]): void {
    this.#requireWorkspace(workspace)
    if (!this.#s.principal.get(principal)) throw new RegistryError('not_found', `no principal ${principal}`)
    if (role !== 'owner') this.#keepAnOwner(workspace, principal, `cannot make ${principal} ${role}`)
    this.#s.upsertMember.run(workspace, principal, role)
    this.#assignColor(workspace, principal)
    changes.push({ kind: 'member', workspace, principal, role })
  }

  #bootstrap(op: Extract<RegistryOp, { t: 'bootstrap' }>): BootstrapResult {
    const result: BootstrapResult = { principals: 0, workspaces: 0, members: 0 }
    for (const p of op.principals) {
      try {
        this.#s.upsertPrincipal.run({
          id: p.id,
          kind: p.kind,
          name: p.name ?? null,
          admin: p.admin === undefined ? null : p.admin ? 1 : 0,
          hash: p.tokenHash,
          now: op.at,
        })
      } catch (err) {
        if (isConstraint(err, 'UNIQUE')) throw new RegistryError('conflict', `bootstrap: token of ${p.id} is already in use`)
        throw err
      }
      result.principals++
    }
    for (const w of op.workspaces) {
      this.#s.upsertWorkspace.run({ id: w.id, title: w.title ?? null, visibility: w.visibility ?? null, fallback: DEFAULT_VISIBILITY, now: op.at })
      result.workspaces++
      // Read once per workspace and kept current: re-reading per member made a big bootstrap O(n²).
      const taken = this.#s.colorsTaken.all(w.id).map((r) => r.color)
      for (const [principal, role] of Object.entries(w.members)) {
        try {
          this.#s.upsertMember.run(w.id, principal, role)
          this.#assignColor(w.id, principal, taken)
        } catch (err) {
          if (isConstraint(err, 'FOREIGNKEY')) throw new RegistryError('invalid', `bootstrap: workspace ${w.id} names unknown principal ${principal}`)
          throw err
        }
        result.members++
      }
    }
    return result
  }

  /** Gives a member without a colour the workspace's least used palette slot (once: it never changes). */
  #assignColor(workspace: string, principal: string, taken?: number[]): void {
    const row = this.#s.memberColor.get(workspace, principal)
    if (row === undefined || row.color !== null) return
    const colors = taken ?? this.#s.colorsTaken.all(workspace).map((r) => r.color)
    const color = nextPaletteIndex(colors)
    this.#s.setColor.run(color, workspace, principal)
    taken?.push(color)
  }

  /** Refuses (409) a change that would leave the workspace without an owner. */
  #keepAnOwner(workspace: string, principal: string, what: string): void {
    if (this.#s.member.get(workspace, principal)?.role !== 'owner') return
    if ((this.#s.owners.get(workspace)?.n ?? 0) > 1) return
    throw new RegistryError('conflict', `${what}: they are the last owner of ${workspace}; make another member owner first`)
  }

  #requireWorkspace(id: string): void {
    if (!this.#s.workspace.get(id)) throw new RegistryError('not_found', `no workspace ${id}`)
  }

  // --- reads (synchronous: they run for every socket and request) ---

  getPrincipal(id: string): Principal | null {
    const row = this.#s.principal.get(id)
    return row ? toPrincipal(row) : null
  }

  listPrincipals(): Array<Principal & { revoked: boolean }> {
    return this.#s.principals.all().map((r) => ({ ...toPrincipal(r), revoked: r.revoked_at !== null }))
  }

  authenticate(token: string): Principal | null {
    if (typeof token !== 'string' || token.length === 0) return null
    const row = this.#s.principalByToken.get(hashToken(token))
    return row ? toPrincipal(row) : null
  }

  isRevokedToken(token: string): boolean {
    return typeof token === 'string' && token.length > 0 && this.#s.revokedByToken.get(hashToken(token)) !== undefined
  }

  getWorkspace(id: string): Workspace | null {
    return this.#s.workspace.get(id) ?? null
  }

  settings(id: string): WorkspaceSettings | null {
    const row = this.#s.settings.get(id)
    if (!row) return null
    const parsed = WorkspaceSettingsSchema.safeParse(JSON.parse(row.settings))
    // A row this version cannot read (written by a newer one) falls back to the safe defaults.
    return parsed.success ? parsed.data : DEFAULT_WORKSPACE_SETTINGS
  }

  listWorkspaces(): Workspace[] {
    return this.#s.workspaces.all()
  }

  listWorkspacesFor(principal: string): Array<Workspace & { role: Role }> {
    return this.#s.workspacesFor.all(principal)
  }

  colorOf(workspace: string, principal: string): string | null {
    const color = this.#s.memberColor.get(workspace, principal)?.color
    return color === undefined || color === null ? null : paletteColor(color)
  }

  roleOf(workspace: string, principal: string): Role | null {
    return this.#s.member.get(workspace, principal)?.role ?? null
  }

  members(workspace: string): Member[] {
    this.#requireWorkspace(workspace)
    return this.#s.members.all(workspace).map((r) => ({ ...r, submitted: r.submitted === 1, color: paletteColor(r.color ?? 0) }))
  }

  isSubmitted(workspace: string, principal: string): boolean {
    return (this.#s.member.get(workspace, principal)?.submitted_at ?? null) !== null
  }
}
