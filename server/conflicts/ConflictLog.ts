// The durable conflict log, as a port: one row per collision, keyed by its deterministic id, so a
// conflict detected again (another arrival order, another instance) is stored once, and a party
// joining an open collision updates its row. SqliteConflictLog (embedded) and PostgresConflictLog
// (several instances) implement it; the rules below decide what a write does, written once for both.
//
// Contract (test/conflicts/contract.ts, clause ids [CLn]).

import { DomainError } from '../errors.ts'
import {
  canonicalJson,
  groupConflictId,
  ConflictRecordSchema,
  PROPOSAL_LIMITS,
  type ConflictRecord,
  type ConflictResolution,
  type ResolutionProposal,
} from '../../shared/conflicts/index.ts'
import { PAGE_DEFAULT, PAGE_MAX } from '../../shared/api/schemas.ts'

/** How many follow-up records one collision may open after its records were resolved. */
export const MAX_FOLLOW_UPS = 20

export type StatusFilter = 'open' | 'resolved' | 'decided' | 'all'

export interface PageOptions {
  status?: StatusFilter
  doc?: string
  limit?: number
  cursor?: string | null
}

export interface Page {
  conflicts: ConflictRecord[]
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null
}

export type ProposeResult = ConflictRecord | 'not_found' | 'not_open' | 'full'

export interface ConflictLog {
  /**
   * Stores new records and updates open ones a party joined (or whose values changed); returns
   * what changed. A resolved or decided record is never reopened (see nextStep).
   */
  add(workspace: string, records: ConflictRecord[]): Promise<ConflictRecord[]>
  /** One page, oldest first; filter by status and document (a `doc` filter may return short pages). */
  page(workspace: string, opts?: PageOptions): Promise<Page>
  get(id: string): Promise<ConflictRecord | null>
  /** Stores `proposal` with an open record, replacing the proposer's earlier one (see withProposal). */
  propose(id: string, proposal: ResolutionProposal): Promise<ProposeResult>
  /** Marks an open record resolved; null if it was resolved already (or is unknown): exactly one caller wins. */
  resolve(id: string, resolution: ConflictResolution): Promise<ConflictRecord | null>
  /**
   * Calls `listener` with the ids of records another instance added or changed (never for this
   * log's own writes): a single-instance backend never calls it.
   */
  onChanged(listener: (ids: string[]) => void): void
}

/** Every record (tests, exports and small workspaces); the API pages with page(). */
export async function listAll(log: ConflictLog, workspace: string, opts: { status?: StatusFilter; doc?: string } = {}): Promise<ConflictRecord[]> {
  const out: ConflictRecord[] = []
  let cursor: string | null = null
  do {
    const page: Page = await log.page(workspace, { ...opts, limit: PAGE_MAX, cursor })
    out.push(...page.conflicts)
    cursor = page.next
  } while (cursor !== null)
  return out
}

/** What storing `record` does when a record with its id is stored already (`current`). */
export type StoreStep = { kind: 'unchanged' } | { kind: 'update'; record: ConflictRecord } | { kind: 'follow-up'; record: ConflictRecord }

/**
 * An open record is updated when its parties or values changed (its proposals stay: each names
 * the party or value it keeps, which a newcomer does not change). A party joining a collision
 * whose record was resolved (or decided) opens a follow-up record (id derived from the first,
 * `original`, so still deterministic) instead of being lost; `generation` counts them (callers
 * stop at MAX_FOLLOW_UPS).
 */
export function nextStep(current: ConflictRecord, record: ConflictRecord, original: ConflictRecord, generation: number): StoreStep {
  if (current.status === 'open') {
    if (canonicalJson([current.kind, current.location, current.parties]) === canonicalJson([record.kind, record.location, record.parties])) return { kind: 'unchanged' }
    return {
      kind: 'update',
      record: { ...record, detectedAt: current.detectedAt, updatedAt: record.detectedAt, ...(current.proposals ? { proposals: current.proposals } : {}) },
    }
  }
  const newcomers = record.parties.filter((p) => !current.parties.some((q) => q.principal === p.principal))
  if (newcomers.length === 0) return { kind: 'unchanged' }
  return { kind: 'follow-up', record: { ...record, id: groupConflictId(record.kind, record.doc, { followsUp: original.id, generation }) } }
}

/** `current` with `proposal` (replacing its proposer's earlier one), or why not. */
export function withProposal(current: ConflictRecord, proposal: ResolutionProposal): ConflictRecord | 'not_open' | 'full' {
  if (current.status !== 'open') return 'not_open'
  const others = (current.proposals ?? []).filter((p) => p.by !== proposal.by)
  if (others.length >= PROPOSAL_LIMITS.perConflict) return 'full'
  return { ...current, proposals: [...others, proposal] }
}

/** The page size a request asks for, within bounds. */
export function pageLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, limit ?? PAGE_DEFAULT), PAGE_MAX)
}

/** A page cursor this server did not hand out (400). */
export class CursorError extends DomainError {
  constructor(message: string) {
    super('invalid', 'invalid_request', message)
  }
}

/** The cursor after the row (`at`, `id`): pages are ordered by detection time, then id. */
export function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url')
}

/** Where a page starts: after (`at`, `id`); null for the first page. */
export function decodeCursor(cursor: string | null): { at: number; id: string } | null {
  if (cursor === null) return null
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown]
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string') return { at, id }
  } catch {
    // reported below
  }
  throw new CursorError('cursor is not one this server returned; pass the `next` value of the previous page')
}

export function parseRecord(json: string): ConflictRecord {
  return ConflictRecordSchema.parse(JSON.parse(json))
}
