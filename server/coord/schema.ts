// Tables of the coordination layer. A task row is never deleted, so its fencing_token (the
// last token issued) only grows, across restarts too.

export const COORD_SCHEMA = `
CREATE TABLE coord_tasks (
  workspace TEXT NOT NULL,
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  depends_on TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'done')),
  owner TEXT,
  lease_acquired_at INTEGER,
  lease_expires_at INTEGER,
  lease_ttl_ms INTEGER,
  fencing_token INTEGER NOT NULL DEFAULT 0,
  result TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (workspace, id)
);
CREATE INDEX coord_tasks_expiry ON coord_tasks (lease_expires_at) WHERE status = 'claimed';

CREATE TABLE coord_claim_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace TEXT NOT NULL,
  task TEXT NOT NULL,
  principal TEXT NOT NULL,
  event TEXT NOT NULL,
  fencing_token INTEGER,
  holder TEXT,
  detail TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX coord_claim_log_ws ON coord_claim_log (workspace, at);
CREATE INDEX coord_claim_log_task ON coord_claim_log (workspace, task, seq);

CREATE TABLE coord_agent_reports (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace TEXT NOT NULL,
  principal TEXT NOT NULL,
  at INTEGER NOT NULL,
  model TEXT,
  model_calls INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  retries INTEGER NOT NULL,
  breaker TEXT
);
CREATE INDEX coord_agent_reports_ws ON coord_agent_reports (workspace, at);
`
