// Tables of the coordination layer. A task row is never deleted, so its fencing_token (the
// last token issued) only grows, across restarts too.

import { ACTIVITY_GRANULES, COUNTED_CLAIM_EVENTS } from '../../shared/coord/index.ts'

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

const inList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ')
const granuleRows = ACTIVITY_GRANULES.map((g) => `SELECT ${g} AS ms`).join(' UNION ALL ')
const reportSums = [
  ['modelCalls', 'model_calls'],
  ['tokens', 'input_tokens + output_tokens'],
  ['errors', 'errors'],
  ['retries', 'retries'],
]
  .map(
    ([field, sum]) =>
      `SELECT workspace, g.ms, (at / g.ms) * g.ms, principal, '${field}', SUM(${sum}) FROM coord_agent_reports, (${granuleRows}) g
       GROUP BY 1, 2, 3, 4 HAVING SUM(${sum}) > 0`,
  )
  .join(' UNION ALL ')

/**
 * Team-metrics counts (shared/coord/activityPlan.ts) per (granule, principal, field), kept by
 * the stores as entries and reports are written; filled here from the history written before.
 * The (workspace, event, task, at) index serves the task flow: a few seeks per task.
 */
export const COORD_ACTIVITY_SCHEMA = `
CREATE TABLE coord_activity (
  workspace TEXT NOT NULL,
  granule_ms INTEGER NOT NULL,
  start INTEGER NOT NULL,
  principal TEXT NOT NULL,
  field TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (workspace, granule_ms, start, principal, field)
) WITHOUT ROWID;
CREATE INDEX coord_claim_log_event ON coord_claim_log (workspace, event, task, at);
INSERT INTO coord_activity (workspace, granule_ms, start, principal, field, n)
  SELECT workspace, g.ms, (at / g.ms) * g.ms, principal, event, COUNT(*) FROM coord_claim_log, (${granuleRows}) g
  WHERE event IN (${inList(COUNTED_CLAIM_EVENTS)}) GROUP BY 1, 2, 3, 4, 5;
INSERT INTO coord_activity (workspace, granule_ms, start, principal, field, n) ${reportSums};
`

/** Both SQLite coordination stores migrate with this (either may be opened first). */
export const COORD_MIGRATIONS = [
  ['coord/1-init', COORD_SCHEMA],
  ['coord/2-activity', COORD_ACTIVITY_SCHEMA],
] as const

export const ACTIVITY_UPSERT_SQLITE = `INSERT INTO coord_activity (workspace, granule_ms, start, principal, field, n) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (workspace, granule_ms, start, principal, field) DO UPDATE SET n = n + excluded.n`

/**
 * Task-flow times per task of a workspace ($1 workspace, $2 since, $3 until; both dialects):
 * creation, first win and first completion in the range, and the last win before that completion.
 */
export const TASK_FLOW_SQL = `
SELECT id, created, first_won, completed,
  (SELECT MAX(at) FROM coord_claim_log l WHERE l.workspace = f.workspace AND l.event = 'won' AND l.task = f.id AND l.at >= $2 AND l.at <= f.completed) AS last_won
FROM (
  SELECT t.workspace, t.id,
    (SELECT MIN(at) FROM coord_claim_log l WHERE l.workspace = t.workspace AND l.event = 'created' AND l.task = t.id AND l.at >= $2 AND l.at < $3) AS created,
    (SELECT MIN(at) FROM coord_claim_log l WHERE l.workspace = t.workspace AND l.event = 'won' AND l.task = t.id AND l.at >= $2 AND l.at < $3) AS first_won,
    (SELECT MIN(at) FROM coord_claim_log l WHERE l.workspace = t.workspace AND l.event = 'completed' AND l.task = t.id AND l.at >= $2 AND l.at < $3) AS completed
  FROM coord_tasks t WHERE t.workspace = $1
) f`
