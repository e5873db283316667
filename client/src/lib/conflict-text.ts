// How conflicts read to a person: kind names, where they happened, values. Pure.

import type { ConflictKind, ConflictRecord } from '../../../shared/conflicts/types.ts'

const KINDS: Record<ConflictKind, string> = {
  'map-key-overwrite': 'Same key set concurrently',
  'overlapping-text-edit': 'Overlapping text edits',
  'claim-race': 'Claim race',
  'schema-mismatch': 'Schema mismatch',
}

export const kindLabel = (kind: ConflictKind): string => KINDS[kind]

/** One line saying where: the key path, the task, or the text stretch as it was before. */
export function whereLabel(c: ConflictRecord): string {
  const l = c.location
  switch (l.kind) {
    case 'map':
      return `Key ${l.path.join(' › ')}`
    case 'text':
      return `In “${l.doc}”, the text was: “${l.text}”`
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

export function formatTime(at: number): string {
  return new Date(at).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })
}
