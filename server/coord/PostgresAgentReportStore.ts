// Agent reports (port: AgentReportStore.ts) on Postgres: one table every instance writes,
// timed by the database clock like the claim log, so team metrics line both up.

import { migratePg, type PgDatabase } from '../pg/PgDatabase.ts'
import { REPORT_FIELDS, type ActivityPlan, type AgentReportFact } from '../../shared/coord/index.ts'
import { toReportFact, type AgentReportRow, type AgentReportStore, type StoredAgentReport } from './AgentReportStore.ts'
import { reportFactsOf, reportIncrements } from './activity.ts'
import { addActivity, migrateActivity, rawRangesJoin, readActivity } from './pgActivity.ts'

const SCHEMA = `
CREATE TABLE coord_agent_reports (
  seq BIGSERIAL PRIMARY KEY,
  workspace TEXT NOT NULL,
  principal TEXT NOT NULL,
  at BIGINT NOT NULL,
  model TEXT,
  model_calls BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  retries BIGINT NOT NULL,
  breaker TEXT
);
CREATE INDEX coord_agent_reports_ws ON coord_agent_reports (workspace, at);
`

export interface PostgresAgentReportStoreOptions {
  /** Added to the database clock (tests). Leave unset in production. */
  clockShiftMs?: () => number
}

export class PostgresAgentReportStore implements AgentReportStore {
  readonly #db: PgDatabase
  readonly #shift: () => number

  private constructor(db: PgDatabase, opts: PostgresAgentReportStoreOptions) {
    this.#db = db
    this.#shift = opts.clockShiftMs ?? (() => 0)
  }

  static async open(db: PgDatabase, opts: PostgresAgentReportStoreOptions = {}): Promise<PostgresAgentReportStore> {
    await migratePg(db, 'pg/coord/2-agent-reports', SCHEMA)
    await migrateActivity(db)
    return new PostgresAgentReportStore(db, opts)
  }

  async record(workspace: string, principal: string, r: StoredAgentReport): Promise<number> {
    return this.#db.transaction(async (c) => {
      const inserted = await c.query<{ at: number }>(
        `INSERT INTO coord_agent_reports (workspace, principal, at, model, model_calls, input_tokens, output_tokens, errors, retries, breaker)
       VALUES ($1, $2, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint + $3, $4, $5, $6, $7, $8, $9, $10) RETURNING at`,
        [workspace, principal, this.#shift(), r.model, r.modelCalls, r.inputTokens, r.outputTokens, r.errors, r.retries, r.breaker],
      )
      const at = inserted.rows[0].at
      await addActivity(c, reportIncrements(workspace, principal, r, at))
      return at
    })
  }

  async activity(workspace: string, plan: ActivityPlan): Promise<AgentReportFact[]> {
    const facts = reportFactsOf(await readActivity(this.#db, workspace, plan, REPORT_FIELDS))
    if (plan.raw.length === 0) return facts
    const raw = await this.#db.query<AgentReportRow>(
      `${rawRangesJoin('coord_agent_reports', 'l.principal, l.at, l.model_calls, l.input_tokens, l.output_tokens, l.errors, l.retries')} ORDER BY l.seq`,
      [workspace, plan.raw.map((x) => x[0]), plan.raw.map((x) => x[1])],
    )
    return [...facts, ...raw.rows.map(toReportFact)]
  }

  async list(workspace: string, since: number, until: number): Promise<AgentReportFact[]> {
    const rows = await this.#db.query<AgentReportRow>(
      `SELECT principal, at, model_calls, input_tokens, output_tokens, errors, retries FROM coord_agent_reports
       WHERE workspace = $1 AND at >= $2 AND at < $3 ORDER BY seq`,
      [workspace, since, until],
    )
    return rows.rows.map(toReportFact)
  }

  /** The pool belongs to the server. */
  async close(): Promise<void> {}
}
