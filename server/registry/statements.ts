// The registry's SQL, prepared once per Registry: the hot paths (authenticate, roleOf) run
// for every connection.

import type { Database } from '../db.ts'
import type { PrincipalKind, Role, Workspace } from '../../shared/model.ts'
import type { Member } from '../../shared/api/types.ts'

export interface PrincipalRow {
  id: string
  kind: PrincipalKind
  name: string
  admin: number
  revoked_at: number | null
}

/** @internal Its inferred type names better-sqlite3's unexported Statement: kept out of the emitted declarations. */
export function prepareStatements(db: Database) {
  const principalCols = 'id, kind, name, admin, revoked_at'
  return {
    insertPrincipal: db.prepare<[string, string, string, number, string, number]>(
      'INSERT INTO principals (id, kind, name, admin, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    /** Omitted (null) name/admin keep the stored value. */
    upsertPrincipal: db.prepare<[{ id: string; kind: string; name: string | null; admin: number | null; hash: string; now: number }]>(
      `INSERT INTO principals (id, kind, name, admin, token_hash, created_at)
       VALUES (@id, @kind, COALESCE(@name, @id), COALESCE(@admin, 0), @hash, @now)
       ON CONFLICT (id) DO UPDATE SET kind = @kind, name = COALESCE(@name, name), admin = COALESCE(@admin, admin), token_hash = @hash`,
    ),
    principal: db.prepare<[string], PrincipalRow>(`SELECT ${principalCols} FROM principals WHERE id = ?`),
    principals: db.prepare<[], PrincipalRow>(`SELECT ${principalCols} FROM principals ORDER BY id`),
    principalByToken: db.prepare<[string], PrincipalRow>(`SELECT ${principalCols} FROM principals WHERE token_hash = ? AND revoked_at IS NULL`),
    revokedByToken: db.prepare<[string], { id: string }>('SELECT id FROM principals WHERE token_hash = ? AND revoked_at IS NOT NULL'),
    revoke: db.prepare<[number, string]>('UPDATE principals SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?'),
    setToken: db.prepare<[string, string]>('UPDATE principals SET token_hash = ?, revoked_at = NULL WHERE id = ?'),
    /** No token at all: nothing authenticates as this principal until a token is set again. */
    clearToken: db.prepare<[string]>('UPDATE principals SET token_hash = NULL WHERE id = ? AND token_hash IS NOT NULL'),
    clearTokenByHash: db.prepare<[string], { id: string }>('UPDATE principals SET token_hash = NULL WHERE token_hash = ? RETURNING id'),
    owners: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM members WHERE workspace = ? AND role = 'owner'"),
    insertWorkspace: db.prepare<[string, string, string, number]>('INSERT INTO workspaces (id, title, visibility, created_at) VALUES (?, ?, ?, ?)'),
    /** Omitted (null) title/visibility keep the stored value. */
    upsertWorkspace: db.prepare<[{ id: string; title: string | null; visibility: string | null; fallback: string; now: number }]>(
      `INSERT INTO workspaces (id, title, visibility, created_at)
       VALUES (@id, COALESCE(@title, @id), COALESCE(@visibility, @fallback), @now)
       ON CONFLICT (id) DO UPDATE SET title = COALESCE(@title, title), visibility = COALESCE(@visibility, visibility)`,
    ),
    workspace: db.prepare<[string], Workspace>('SELECT id, title, visibility FROM workspaces WHERE id = ?'),
    settings: db.prepare<[string], { settings: string }>('SELECT settings FROM workspaces WHERE id = ?'),
    setSettings: db.prepare<[string, string]>('UPDATE workspaces SET settings = ? WHERE id = ?'),
    workspaces: db.prepare<[], Workspace>('SELECT id, title, visibility FROM workspaces ORDER BY id'),
    patchWorkspace: db.prepare<[string | null, string | null, string], Workspace>(
      `UPDATE workspaces SET title = COALESCE(?, title), visibility = COALESCE(?, visibility) WHERE id = ?
       RETURNING id, title, visibility`,
    ),
    workspacesFor: db.prepare<[string], Workspace & { role: Role }>(
      `SELECT w.id, w.title, w.visibility, m.role FROM members m JOIN workspaces w ON w.id = m.workspace
       WHERE m.principal = ? ORDER BY w.id`,
    ),
    upsertMember: db.prepare<[string, string, string]>(
      'INSERT INTO members (workspace, principal, role) VALUES (?, ?, ?) ON CONFLICT (workspace, principal) DO UPDATE SET role = excluded.role',
    ),
    deleteMember: db.prepare<[string, string]>('DELETE FROM members WHERE workspace = ? AND principal = ?'),
    member: db.prepare<[string, string], { role: Role; submitted_at: number | null }>('SELECT role, submitted_at FROM members WHERE workspace = ? AND principal = ?'),
    members: db.prepare<[string], Omit<Member, 'submitted' | 'color'> & { submitted: number; color: number | null }>(
      `SELECT p.id, p.kind, p.name, m.role, m.submitted_at IS NOT NULL AS submitted, m.color
       FROM members m JOIN principals p ON p.id = m.principal WHERE m.workspace = ? ORDER BY p.id`,
    ),
    memberColor: db.prepare<[string, string], { color: number | null }>('SELECT color FROM members WHERE workspace = ? AND principal = ?'),
    colorsTaken: db.prepare<[string], { color: number }>('SELECT color FROM members WHERE workspace = ? AND color IS NOT NULL'),
    uncolored: db.prepare<[], { workspace: string; principal: string }>('SELECT workspace, principal FROM members WHERE color IS NULL ORDER BY rowid'),
    setColor: db.prepare<[number, string, string]>('UPDATE members SET color = ? WHERE workspace = ? AND principal = ? AND color IS NULL'),
    setSubmitted: db.prepare<[number | null, string, string]>('UPDATE members SET submitted_at = ? WHERE workspace = ? AND principal = ?'),
  }
}
