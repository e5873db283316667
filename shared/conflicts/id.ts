// Deterministic conflict ids, so re-detecting the same conflict (another arrival order,
// a replay after restart) yields the same record and the log can upsert.
import * as sha256 from 'lib0/hash/sha256'
import type { ConflictKind, ConflictLocation, ConflictParty } from './types.ts'

/** JSON with object keys sorted, so equal values always serialize equally. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value instanceof Uint8Array) return canonicalJson(Array.from(value))
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export function conflictId(kind: ConflictKind, doc: string, location: ConflictLocation, parties: ConflictParty[]): string {
  return hashId(canonicalJson({ kind, doc, location, parties }))
}

/**
 * The id of a grouped record: one collision (a contested key or text stretch) whatever the number
 * of parties, so a third party joining updates the record. `anchor` names the collision from
 * data every arrival order agrees on (e.g. the value the writers replaced).
 */
export function groupConflictId(kind: ConflictKind, doc: string, anchor: unknown): string {
  return hashId(canonicalJson({ kind, doc, anchor }))
}

function hashId(json: string): string {
  const digest = sha256.digest(new TextEncoder().encode(json))
  let hex = ''
  for (let i = 0; i < 16; i++) hex += digest[i].toString(16).padStart(2, '0')
  return `c_${hex}`
}

/** Parties in a stable order (by principal), the order ids are computed over. */
export function sortParties(parties: ConflictParty[]): ConflictParty[] {
  return [...parties].sort((a, b) => (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0))
}
