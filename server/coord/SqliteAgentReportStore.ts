// Agent reports (port: AgentReportStore.ts) on the server's SQLite database.

import { migrate, type Database } from '../db.ts'
import { REPORT_FIELDS, type ActivityPlan, type AgentReportFact } from '../../shared/coord/index.ts'
import { ACTIVITY_UPSERT_SQLITE, COORD_MIGRATIONS } from './schema.ts'
import { reportFactsOf, reportIncrements, type ActivityRow } from './activity.ts'
import { toReportFact, type AgentReportRow, type AgentReportStore, type StoredAgentReport } from './AgentReportStore.ts'

export class SqliteAgentReportStore implements AgentReportStore {
  #db: Database
  #now: () => number

  constructor(db: Database, now: () => number = Date.now) {
    for (const [name, sql] of COORD_MIGRATIONS) migrate(db, name, sql)
    this.#db = db
    this.#now = now
  }

  async record(workspace: string, principal: string, r: StoredAgentReport): Promise<number> {
    const at = this.#now()
    const insert = this.#db.prepare(
      `INSERT INTO coord_agent_reports (workspace, principal, at, model, model_calls, input_tokens, output_tokens, errors, retries, breaker)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const count = this.#db.prepare(ACTIVITY_UPSERT_SQLITE)
    this.#db.transaction(() => {
      insert.run(workspace, principal, at, r.model, r.modelCalls, r.inputTokens, r.outputTokens, r.errors, r.retries, r.breaker)
      for (const c of reportIncrements(workspace, principal, r, at)) count.run(c.workspace, c.granuleMs, c.start, c.principal, c.field, c.n)
    })()
    return at
  }

  async list(workspace: string, since: number, until: number): Promise<AgentReportFact[]> {
    const rows = this.#db
      .prepare(
        `SELECT principal, at, model_calls, input_tokens, output_tokens, errors, retries FROM coord_agent_reports
         WHERE workspace = ? AND at >= ? AND at < ? ORDER BY seq`,
      )
      .all(workspace, since, until) as AgentReportRow[]
    return rows.map(toReportFact)
  }

  async activity(workspace: string, plan: ActivityPlan): Promise<AgentReportFact[]> {
    const fields = REPORT_FIELDS.map(() => '?').join(', ')
    const stored = this.#db.prepare(
      `SELECT ? + (start - ?) / ? * ? AS start, principal, field, SUM(n) AS n FROM coord_activity
       WHERE workspace = ? AND granule_ms = ? AND start >= ? AND start < ? AND field IN (${fields}) GROUP BY 1, 2, 3`,
    )
    const bucket = [plan.since, plan.since, plan.bucketMs, plan.bucketMs]
    const facts: AgentReportFact[] = []
    for (const { granuleMs, ranges } of plan.granules) {
      for (const [from, to] of ranges) facts.push(...reportFactsOf(stored.all(...bucket, workspace, granuleMs, from, to, ...REPORT_FIELDS) as ActivityRow[]))
    }
    for (const [from, to] of plan.raw) facts.push(...(await this.list(workspace, from, to)))
    return facts
  }

  /** The database belongs to the server, which closes it. */
  async close(): Promise<void> {}
}
