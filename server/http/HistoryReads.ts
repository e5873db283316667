// Rate of expensive history reads (diff, blame, text at a version or as read, export) per principal: each
// rebuilds from the room's whole history, so one principal cannot keep the server busy with them.
// A token bucket per principal (burst, then a steady rate per minute); an empty bucket is a 429
// whose Retry-After and message say when the next read is allowed. The table is bounded: beyond
// MAX_TRACKED principals the least recently used buckets are forgotten (they start full again).

import { TokenBucket } from '../core/TokenBucket.ts'
import type { HttpLimits } from './limits.ts'
import { tooManyRequests } from './errors.ts'

const MAX_TRACKED = 10_000

export class HistoryReads {
  readonly #buckets = new Map<string, TokenBucket>()

  constructor(
    private readonly limits: Pick<HttpLimits, 'historyReadBurst' | 'historyReadsPerMinute'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one expensive read by `principal`; throws 429 when its bucket is empty (nothing is counted then). */
  take(principal: string, what: string): void {
    const bucket = this.#bucketOf(principal)
    const waitMs = bucket.take(1)
    if (waitMs === 0) return
    bucket.take(-1) // a refused read costs nothing: the caller waits exactly Retry-After
    const waitS = Math.max(1, Math.ceil(waitMs / 1000))
    throw tooManyRequests(
      'too_many_history_reads',
      `too many history reads (${what}): at most ${this.limits.historyReadBurst} at once and ${this.limits.historyReadsPerMinute} a minute per principal; retry in ${waitS} s`,
      waitS,
    )
  }

  #bucketOf(principal: string): TokenBucket {
    let bucket = this.#buckets.get(principal)
    if (bucket) {
      // Re-inserted: Map order is then least recently used first.
      this.#buckets.delete(principal)
    } else {
      bucket = new TokenBucket(this.limits.historyReadBurst, this.limits.historyReadsPerMinute / 60, { now: this.now })
      for (const oldest of this.#buckets.keys()) {
        if (this.#buckets.size < MAX_TRACKED) break
        this.#buckets.delete(oldest)
      }
    }
    this.#buckets.set(principal, bucket)
    return bucket
  }
}
