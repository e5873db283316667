// How conflicts read to a person: kind names, where they happened, values. Pure.

import { DOCS_MAP, TITLES_MAP } from '../../../shared/documents.ts'
import type { ConflictKind, ConflictRecord } from '../../../shared/conflicts/types.ts'

const KINDS: Record<ConflictKind, string> = {
  'map-key-overwrite': 'Same key set concurrently',
  'overlapping-text-edit': 'Overlapping text edits',
  'duplicated-text': 'Same text inserted twice',
  'claim-race': 'Claim race',
  'schema-mismatch': 'Schema mismatch',
}

export const kindLabel = (kind: ConflictKind): string => KINDS[kind]

/** One line saying where: the key path, the task, or the text stretch as it was before. `titleOf` names documents by id. */
export function whereLabel(c: ConflictRecord, titleOf: (id: string) => string = (id) => id): string {
  const l = c.location
  switch (l.kind) {
    case 'map':
      if (l.path.length === 2 && l.path[0] === TITLES_MAP) return `Title of “${titleOf(l.path[1])}” (document ${l.path[1]})`
      if (l.path.length === 2 && l.path[0] === DOCS_MAP) return `Document “${titleOf(l.path[1])}” (${l.path[1]})`
      return `Key ${l.path.join(' › ')}`
    case 'text':
      return `In “${titleOf(l.doc)}”, the text was: “${l.text}”`
    case 'task':
      return `Task ${l.taskId}`
    case 'schema':
      return `Schema version ${l.expected} expected, found ${formatValue(l.found)}`
  }
}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined) return '(nothing)'
  return JSON.stringify(value, null, 2)
}

/** What stands now at a conflict's place (`{ deleted: true }` for a removed key). */
export function formatCurrent(value: unknown): string {
  if (value !== null && typeof value === 'object' && (value as { deleted?: unknown }).deleted === true) return '(deleted)'
  return formatValue(value)
}

export function formatTime(at: number): string {
  return new Date(at).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })
}
