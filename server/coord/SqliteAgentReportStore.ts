// Agent reports (port: AgentReportStore.ts) on the server's SQLite database.

import { migrate, type Database } from '../db.ts'
import type { AgentReportFact } from '../../shared/coord/index.ts'
import { COORD_SCHEMA } from './schema.ts'
import { toReportFact, type AgentReportRow, type AgentReportStore, type StoredAgentReport } from './AgentReportStore.ts'

export class SqliteAgentReportStore implements AgentReportStore {
  #db: Database
  #now: () => number

  constructor(db: Database, now: () => number = Date.now) {
    migrate(db, 'coord/1-init', COORD_SCHEMA)
    this.#db = db
    this.#now = now
  }

  async record(workspace: string, principal: string, r: StoredAgentReport): Promise<number> {
    const at = this.#now()
    this.#db
      .prepare(
        `INSERT INTO coord_agent_reports (workspace, principal, at, model, model_calls, input_tokens, output_tokens, errors, retries, breaker)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(workspace, principal, at, r.model, r.modelCalls, r.inputTokens, r.outputTokens, r.errors, r.retries, r.breaker)
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

  /** The database belongs to the server, which closes it. */
  async close(): Promise<void> {}
}
