// Registry tables. Tokens are stored as SHA-256 hex; revocation keeps the row so history
// can still name the principal.

export const REGISTRY_SCHEMA = `
CREATE TABLE principals (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('human', 'agent', 'service')),
  name TEXT NOT NULL,
  admin INTEGER NOT NULL DEFAULT 0,
  token_hash TEXT UNIQUE,
  revoked_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'team', 'blind-until-submitted')),
  created_at INTEGER NOT NULL
);
CREATE TABLE members (
  workspace TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  principal TEXT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'reviewer', 'viewer')),
  submitted_at INTEGER,               -- namespace review submitted (DESIGN.md §2)
  PRIMARY KEY (workspace, principal)
);
CREATE INDEX members_by_principal ON members (principal);
`

/** Each member's palette slot in its workspace (shared/presence/colors.ts), assigned once. */
export const MEMBER_COLORS = `ALTER TABLE members ADD COLUMN color INTEGER;`

/** Workspace settings (shared/workspaceSettings.ts) as JSON; '{}' reads as the defaults. */
export const REGISTRY_SETTINGS = `ALTER TABLE workspaces ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';`
