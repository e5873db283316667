// Write counts kept beside the attribution log, so team metrics count a range's writes without
// reading its entries ([perf] #18): per room, granule (shared/coord/activityPlan.ts), granule
// start and principal, how many updates and bytes, and the lowest and highest seq among them.
// A store counts the updates a compaction folds, in the compaction's transaction, so the counts
// hold exactly the updates up to the room's snapshot seq; the few after it (the compaction policy
// bounds them: server/storage/compaction.ts) are read one by one. Nothing is added on the append
// path, which acknowledges edits (counting there cost 2.4 µs per update and 50 µs per commit, measured).
// The seq span of a granule finds its entries by the primary key (room, seq) whatever order their
// times are in: the sub-second ends of a range and the newest writes of a range are read that way,
// with no index on time (one cost 5 µs per stored update, measured). Both SQL stores walk the
// counts here, so that logic is written once.

import { ACTIVITY_GRANULES, planActivityRead, type ActivityPlan } from '../../shared/coord/activityPlan.ts'
import type { WriteCount } from './DocumentStorage.ts'

/** Adds the updates `seq` in ($2, $3] of room $1 to doc_activity (SQLite binds $n from an object with keys 1, 2, 3). */
export function foldActivitySql(dialect: 'sqlite' | 'postgres'): string {
  const [div, least, greatest] = dialect === 'sqlite' ? ['CAST(at / g.ms AS INTEGER)', 'MIN', 'MAX'] : ['(at / g.ms)', 'LEAST', 'GREATEST']
  return `INSERT INTO doc_activity (room, granule_ms, start, principal, updates, bytes, first_seq, last_seq)
  SELECT room, g.ms, ${div} * g.ms, principal, COUNT(*), SUM(bytes), MIN(seq), MAX(seq)
  FROM doc_updates, (${ACTIVITY_GRANULES.map((ms) => `SELECT ${ms} AS ms`).join(' UNION ALL ')}) g
  WHERE room = $1 AND seq > $2 AND seq <= $3 GROUP BY room, g.ms, ${div}, principal
  ON CONFLICT (room, granule_ms, start, principal) DO UPDATE SET updates = doc_activity.updates + excluded.updates,
    bytes = doc_activity.bytes + excluded.bytes, first_seq = ${least}(doc_activity.first_seq, excluded.first_seq),
    last_seq = ${greatest}(doc_activity.last_seq, excluded.last_seq)`
}

/** Whether `at` falls in the plan's range (the union of its granule and raw ranges). */
export function inPlan(plan: ActivityPlan, at: number): boolean {
  return [...plan.granules.flatMap((g) => g.ranges), ...plan.raw].some(([from, to]) => at >= from && at < to)
}

/** Raw entries as counts of one update each, at their own time. */
export function rawCounts(entries: Array<{ principal: string; at: number; bytes: number }>): WriteCount[] {
  return entries.map((e) => ({ principal: e.principal, at: e.at, updates: 1, bytes: e.bytes }))
}

/** One granule's writes (every principal): how many, and the seq span that holds them. */
export interface GranuleSpan {
  start: number
  updates: number
  firstSeq: number
  lastSeq: number
}

/** Seqs to read (inclusive; empty when first > last) for the writes of [from, until). */
export interface SeqSpan {
  from: number
  firstSeq: number
  lastSeq: number
}

export const [MINUTE_MS, SECOND_MS] = ACTIVITY_GRANULES

/** One seq span holding every granule's writes (empty when there are none). */
export function spanOf(granules: GranuleSpan[]): { firstSeq: number; lastSeq: number } {
  if (granules.length === 0) return { firstSeq: 1, lastSeq: 0 }
  return { firstSeq: Math.min(...granules.map((g) => g.firstSeq)), lastSeq: Math.max(...granules.map((g) => g.lastSeq)) }
}

/** The granule starts whose granules intersect [since, until). */
export function granuleBounds(granuleMs: number, since: number, until: number): [number, number] {
  return [Math.floor(since / granuleMs) * granuleMs, until]
}

/** What newestSpan reads from a store, for one room. */
export interface SpanReader {
  /** Granule rows (every principal summed) with start in [from, to). */
  spans(granuleMs: number, from: number, to: number): Promise<GranuleSpan[]>
  /** The entries with `at` in [from, to), a sub-second piece: how many and their seq span (read through the seconds' spans). */
  piece(from: number, to: number): Promise<GranuleSpan>
}

/**
 * Where the newest `limit` writes of [since, until) begin. The range is cut as a one-bucket plan
 * (whole minutes, whole seconds, sub-second ends: shared/coord/activityPlan.ts), so every piece
 * counts only writes of the range; the pieces are walked newest first, a minute that would pass
 * `limit` by its seconds, and the walk stops at a whole second (or at the end of a sub-second
 * piece). Every write of [from, until) lies in the returned seq span and they number at most `limit`;
 * from is `since` exactly when the range holds at most `limit`. A second (or the range's last
 * part-second) alone holding more than `limit` writes is not read: from is then its end.
 */
export async function newestSpan(reader: SpanReader, since: number, until: number, limit: number, tail: Array<{ seq: number; at: number }> = []): Promise<SeqSpan> {
  let total = 0
  let firstSeq = Infinity
  let lastSeq = -Infinity
  const span = (from: number): SeqSpan => ({ from, firstSeq: Number.isFinite(firstSeq) ? firstSeq : 1, lastSeq: Number.isFinite(lastSeq) ? lastSeq : 0 })
  const fits = (g: GranuleSpan): boolean => {
    if (total + g.updates > limit) return false
    total += g.updates
    firstSeq = Math.min(firstSeq, g.firstSeq)
    lastSeq = Math.max(lastSeq, g.lastSeq)
    return true
  }
  if (until <= since) return span(since)
  const plan = planActivityRead(since, until, until - since)
  const [minutes, seconds] = plan.granules
  // Pieces by granule and start: the counted ones, then the uncounted tail added where it falls.
  type Piece = GranuleSpan & { granuleMs: number; end: number }
  const pieces = new Map<string, Piece>()
  const piece = (granuleMs: number, start: number, end: number): Piece => {
    const key = `${granuleMs}:${start}`
    let p = pieces.get(key)
    if (!p) pieces.set(key, (p = { start, end, granuleMs, updates: 0, firstSeq: Infinity, lastSeq: -Infinity }))
    return p
  }
  const add = (p: Pick<GranuleSpan, 'updates' | 'firstSeq' | 'lastSeq'>, g: Pick<GranuleSpan, 'updates' | 'firstSeq' | 'lastSeq'>) => {
    p.updates += g.updates
    p.firstSeq = Math.min(p.firstSeq, g.firstSeq)
    p.lastSeq = Math.max(p.lastSeq, g.lastSeq)
  }
  for (const [from, to] of minutes.ranges) for (const g of await reader.spans(MINUTE_MS, from, to)) add(piece(MINUTE_MS, g.start, g.start + MINUTE_MS), g)
  for (const [from, to] of seconds.ranges) for (const g of await reader.spans(SECOND_MS, from, to)) add(piece(SECOND_MS, g.start, g.start + SECOND_MS), g)
  for (const [from, to] of plan.raw) {
    const g = await reader.piece(from, to)
    if (g.updates > 0) add(piece(0, from, to), g)
  }
  const within = (ranges: Array<[number, number]>, at: number) => ranges.some(([from, to]) => at >= from && at < to)
  for (const e of tail) {
    const one = { updates: 1, firstSeq: e.seq, lastSeq: e.seq }
    const g = (ms: number) => Math.floor(e.at / ms) * ms
    if (within(minutes.ranges, e.at)) add(piece(MINUTE_MS, g(MINUTE_MS), g(MINUTE_MS) + MINUTE_MS), one)
    else if (within(seconds.ranges, e.at)) add(piece(SECOND_MS, g(SECOND_MS), g(SECOND_MS) + SECOND_MS), one)
    else for (const [from, to] of plan.raw) if (e.at >= from && e.at < to) add(piece(0, from, to), one)
  }
  for (const p of [...pieces.values()].sort((a, b) => b.start - a.start)) {
    if (fits(p)) continue
    if (p.granuleMs !== MINUTE_MS) return span(p.end)
    // The minute's seconds, counted and from the tail.
    const secs = new Map<number, GranuleSpan>()
    const sec = (start: number) => secs.get(start) ?? secs.set(start, { start, updates: 0, firstSeq: Infinity, lastSeq: -Infinity }).get(start)!
    for (const s of await reader.spans(SECOND_MS, p.start, p.end)) add(sec(s.start), s)
    for (const e of tail) if (e.at >= p.start && e.at < p.end) add(sec(Math.floor(e.at / SECOND_MS) * SECOND_MS), { updates: 1, firstSeq: e.seq, lastSeq: e.seq })
    for (const s of [...secs.values()].sort((a, b) => b.start - a.start)) if (!fits(s)) return span(s.start + SECOND_MS)
  }
  return span(since)
}
