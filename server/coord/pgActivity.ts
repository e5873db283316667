// coord_activity on Postgres (see shared/coord/activityPlan.ts and activity.ts): the table,
// the upsert both Postgres coordination stores run in their write transaction, and the read
// of a plan's granule ranges in one statement per granule size.

import { migratePg, type PgDatabase, type PgQueryable } from '../pg/PgDatabase.ts'
import type { ActivityPlan } from '../../shared/coord/index.ts'
import type { ActivityIncrement, ActivityRow } from './activity.ts'

const SCHEMA = `
CREATE TABLE coord_activity (
  workspace TEXT NOT NULL,
  granule_ms BIGINT NOT NULL,
  start BIGINT NOT NULL,
  principal TEXT NOT NULL,
  field TEXT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (workspace, granule_ms, start, principal, field)
);
`

/** Either Postgres coordination store may open first; the migration runs once per database. */
export function migrateActivity(db: PgDatabase): Promise<boolean> {
  return migratePg(db, 'pg/coord/3-activity', SCHEMA)
}

/** Adds the increments (one statement; rows merged by key and sorted, so concurrent writers lock them in one order). */
export async function addActivity(q: PgQueryable, increments: ActivityIncrement[]): Promise<void> {
  if (increments.length === 0) return
  // One row per key: ON CONFLICT may not touch a row twice in one statement.
  const merged = new Map<string, ActivityIncrement>()
  for (const i of increments) {
    const key = `${i.granuleMs}\u0000${i.start}\u0000${i.principal}\u0000${i.field}\u0000${i.workspace}`
    const seen = merged.get(key)
    if (seen) seen.n += i.n
    else merged.set(key, { ...i })
  }
  const sorted = [...merged.values()].sort(
    (a, b) => cmp(a.workspace, b.workspace) || a.granuleMs - b.granuleMs || a.start - b.start || cmp(a.principal, b.principal) || cmp(a.field, b.field),
  )
  await q.query(
    `INSERT INTO coord_activity (workspace, granule_ms, start, principal, field, n)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[])
     ON CONFLICT (workspace, granule_ms, start, principal, field) DO UPDATE SET n = coord_activity.n + excluded.n`,
    [
      sorted.map((i) => i.workspace),
      sorted.map((i) => i.granuleMs),
      sorted.map((i) => i.start),
      sorted.map((i) => i.principal),
      sorted.map((i) => i.field),
      sorted.map((i) => i.n),
    ],
  )
}

/** The stored counts of `fields` in the plan's granule ranges, summed per bucket (each granule lies in one). */
export async function readActivity(q: PgQueryable, workspace: string, plan: ActivityPlan, fields: readonly string[]): Promise<ActivityRow[]> {
  const rows: ActivityRow[] = []
  for (const { granuleMs, ranges } of plan.granules) {
    if (ranges.length === 0) continue
    const r = await q.query<ActivityRow>(
      `SELECT $6::bigint + (a.start - $6::bigint) / $7::bigint * $7::bigint AS start, a.principal, a.field, SUM(a.n)::bigint AS n
       FROM unnest($3::bigint[], $4::bigint[]) AS r(f, t)
       JOIN coord_activity a ON a.workspace = $1 AND a.granule_ms = $2 AND a.start >= r.f AND a.start < r.t AND a.field = ANY($5)
       GROUP BY 1, 2, 3`,
      [workspace, granuleMs, ranges.map((x) => x[0]), ranges.map((x) => x[1]), fields, plan.since, plan.bucketMs],
    )
    rows.push(...r.rows)
  }
  return rows
}

/** `SELECT … FROM <table> JOIN` of the plan's raw ranges: rows of `table` whose `at` falls in one. */
export function rawRangesJoin(table: string, columns: string): string {
  return `SELECT ${columns} FROM unnest($2::bigint[], $3::bigint[]) AS r(f, t) JOIN ${table} l ON l.workspace = $1 AND l.at >= r.f AND l.at < r.t`
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
