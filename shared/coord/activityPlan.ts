// How team metrics read claim and report counts without reading every entry of the range:
// the stores keep per-(granule, principal, field) counts at two granule sizes, updated in the
// transaction that writes an entry or report. A request's range is cut at its bucket edges;
// inside each bucket, whole minutes come from minute counts, whole seconds at the ends from
// second counts, and only the sub-second ends from the raw entries. Every granule used lies
// inside one bucket, so the result is exactly what counting the raw entries gives, and the
// rows read are bounded by the number of buckets and minutes, not by how many entries exist.

/** Granule sizes the stores keep counts for, coarsest first. */
export const ACTIVITY_GRANULES = [60_000, 1_000] as const

/** Claim-log events counted in team metrics (the rest are lease bookkeeping). */
export const COUNTED_CLAIM_EVENTS = ['won', 'race', 'blocked', 'expired', 'stale_fence', 'released', 'completed'] as const

/** Report fields counted in team metrics (tokens = input + output). */
export const REPORT_FIELDS = ['modelCalls', 'tokens', 'errors', 'retries'] as const

/** Half-open [from, to) in ms. */
export type Range = [number, number]

export interface ActivityPlan {
  /** The request's first bucket start and bucket size: stored counts are summed per bucket where they are read. */
  since: number
  bucketMs: number
  /** Per granule size: ranges (aligned to it) whose counts are read from that granule's rows. */
  granules: Array<{ granuleMs: number; ranges: Range[] }>
  /** Ranges read entry by entry. */
  raw: Range[]
}

export function planActivityRead(since: number, until: number, bucketMs: number): ActivityPlan {
  const granules = ACTIVITY_GRANULES.map((granuleMs) => ({ granuleMs, ranges: [] as Range[] }))
  const raw: Range[] = []
  const cover = (from: number, to: number, level: number): void => {
    if (from >= to) return
    if (level === ACTIVITY_GRANULES.length) return push(raw, from, to)
    const g = ACTIVITY_GRANULES[level]
    const a = Math.ceil(from / g) * g
    const b = Math.floor(to / g) * g
    if (a >= b) return cover(from, to, level + 1)
    push(granules[level].ranges, a, b)
    cover(from, a, level + 1)
    cover(b, to, level + 1)
  }
  for (let start = since; start < until; start += bucketMs) cover(start, Math.min(start + bucketMs, until), 0)
  for (const level of granules) level.ranges.sort((x, y) => x[0] - y[0])
  raw.sort((x, y) => x[0] - y[0])
  return { since, bucketMs, granules, raw: merge(raw) }
}

/** Appends [from, to), joining it to the last range when they touch (fewer ranges to query). */
function push(list: Range[], from: number, to: number): void {
  const last = list.at(-1)
  if (last && last[1] === from) last[1] = to
  else list.push([from, to])
}

function merge(list: Range[]): Range[] {
  const out: Range[] = []
  for (const [from, to] of list) {
    const last = out.at(-1)
    if (last && last[1] >= from) last[1] = Math.max(last[1], to)
    else out.push([from, to])
  }
  return out
}

/**
 * The range a team-metrics request covers when it names none: the last 24 h up to the next
 * whole minute (so buckets of whole minutes line up with the stored minute counts).
 */
export function defaultMetricsRange(now: number): { since: number; until: number } {
  const until = Math.ceil((now + 1) / ACTIVITY_GRANULES[0]) * ACTIVITY_GRANULES[0]
  return { since: until - 86_400_000, until }
}

/** The granule start of `at` for each kept granule size. */
export function granuleStarts(at: number): Array<{ granuleMs: number; start: number }> {
  return ACTIVITY_GRANULES.map((granuleMs) => ({ granuleMs, start: Math.floor(at / granuleMs) * granuleMs }))
}
