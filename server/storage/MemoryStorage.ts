// In-process DocumentStorage for tests and ephemeral servers. Nothing survives the process.

import type { AttributionEntry, DocumentStorage, RoomState, StoredUpdate, WriteCount, WriteRecord } from './DocumentStorage.ts'
import { checkBatch, checkCompaction, checkHistoryOptions, checkPlan, checkRoom, checkTimeRange, type NewUpdate } from './validate.ts'
import type { ActivityPlan } from '../../shared/coord/activityPlan.ts'
import { newestSpan, rawCounts, type GranuleSpan } from './writeActivity.ts'

interface Entry extends AttributionEntry {
  /** null once folded into the snapshot. */
  data: Uint8Array | null
}

interface Room {
  snapshot: Uint8Array | null
  snapshotSeq: number
  /** Ascending by seq; entry i has seq i + 1. */
  log: Entry[]
}

export class MemoryStorage implements DocumentStorage {
  #rooms = new Map<string, Room>()
  #closed = false

  async load(room: string): Promise<RoomState> {
    this.#check(room)
    const r = this.#rooms.get(room)
    if (!r) return { snapshot: null, snapshotSeq: 0, updates: [] }
    const updates: StoredUpdate[] = r.log.slice(r.snapshotSeq).map((e) => ({
      seq: e.seq,
      principal: e.principal,
      clients: [...e.clients],
      at: e.at,
      data: e.data!.slice(),
      ...(e.message === 'sync' || e.message === 'server' ? { message: e.message } : {}),
    }))
    return { snapshot: r.snapshot?.slice() ?? null, snapshotSeq: r.snapshotSeq, updates }
  }

  async append(room: string, updates: NewUpdate[]): Promise<number[]> {
    this.#check(room)
    checkBatch(updates) // all-or-nothing: validate before touching the log
    if (updates.length === 0) return []
    const r = this.#room(room)
    return updates.map((u) => {
      const seq = r.log.length + 1
      // Copy: the caller may reuse its buffers after the promise resolves.
      r.log.push({ seq, principal: u.principal, clients: [...u.clients], at: u.at, bytes: u.data.byteLength, data: u.data.slice(), message: u.message })
      return seq
    })
  }

  async compact(room: string, snapshot: Uint8Array, uptoSeq: number): Promise<void> {
    this.#check(room)
    const r = this.#rooms.get(room)
    checkCompaction(snapshot, uptoSeq, r?.log.length ?? 0)
    // A stale compaction (older than the current snapshot) would lose folded data: ignore it.
    if (!r || uptoSeq < r.snapshotSeq) return
    r.snapshot = snapshot.slice()
    r.snapshotSeq = uptoSeq
    for (let i = 0; i < uptoSeq; i++) r.log[i].data = null
  }

  async history(room: string, { afterSeq = 0, limit }: { afterSeq?: number; limit?: number } = {}): Promise<AttributionEntry[]> {
    this.#check(room)
    checkHistoryOptions(afterSeq, limit)
    const log = this.#rooms.get(room)?.log ?? []
    const end = limit === undefined ? undefined : afterSeq + limit
    return log.slice(afterSeq, end).map(({ seq, principal, clients, at, bytes }) => ({ seq, principal, clients: [...clients], at, bytes }))
  }

  // Nothing survives the process here, so the log is short-lived: counted entry by entry.
  async writeCounts(room: string, plan: ActivityPlan): Promise<WriteCount[]> {
    this.#check(room)
    checkPlan(plan)
    const ranges = [...plan.granules.flatMap((g) => g.ranges), ...plan.raw]
    const inPlan = (at: number) => ranges.some(([from, to]) => at >= from && at < to)
    return rawCounts((this.#rooms.get(room)?.log ?? []).filter((e) => inPlan(e.at)))
  }

  async newestWrites(room: string, since: number, until: number, limit: number): Promise<{ from: number; entries: WriteRecord[] }> {
    this.#check(room)
    checkTimeRange(since, until, limit)
    const log = this.#rooms.get(room)?.log ?? []
    // The same walk as the SQL stores, over granules counted from the log.
    const spans = (granuleMs: number, from: number, to: number): GranuleSpan[] => {
      const byStart = new Map<number, GranuleSpan>()
      for (const e of log) {
        const start = Math.floor(e.at / granuleMs) * granuleMs
        if (start < from || start >= to) continue
        const g = byStart.get(start)
        if (g) {
          g.updates++
          g.lastSeq = e.seq
        } else byStart.set(start, { start, updates: 1, firstSeq: e.seq, lastSeq: e.seq })
      }
      return [...byStart.values()]
    }
    const piece = async (from: number, to: number): Promise<GranuleSpan> => {
      const seqs = log.filter((e) => e.at >= from && e.at < to).map((e) => e.seq)
      return { start: from, updates: seqs.length, firstSeq: seqs[0] ?? 1, lastSeq: seqs.at(-1) ?? 0 }
    }
    const { from, firstSeq, lastSeq } = await newestSpan({ spans: async (g, a, b) => spans(g, a, b), piece }, since, until, limit)
    return {
      from,
      entries: log.filter((e) => e.seq >= firstSeq && e.seq <= lastSeq && e.at >= from && e.at < until).map(({ seq, principal, at, bytes }) => ({ seq, principal, at, bytes })),
    }
  }

  async rooms(): Promise<string[]> {
    this.#check()
    return [...this.#rooms.keys()]
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  #room(room: string): Room {
    let r = this.#rooms.get(room)
    if (!r) this.#rooms.set(room, (r = { snapshot: null, snapshotSeq: 0, log: [] }))
    return r
  }

  #check(room?: string): void {
    if (this.#closed) throw new Error('storage is closed')
    if (room !== undefined) checkRoom(room)
  }
}
