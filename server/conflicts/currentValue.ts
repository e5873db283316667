// What stands now where a conflict happened, read from the live document when records are listed
// (so it is always current): a key's value (or `deleted`), a text stretch as it reads now.
import * as Y from 'yjs'
import type { ConflictRecord, RelativePositionJson } from '../../shared/conflicts/index.ts'
import { describeValue, plainOf } from './typedValue.ts'

export const DELETED = { deleted: true } as const

/** Characters of context shown either side of a text stretch. */
const CONTEXT = 40

/** What stands now, plus for text the words around it; undefined when it cannot be located any more. */
export function currentOf(doc: Y.Doc, record: ConflictRecord): Pick<ConflictRecord, 'current' | 'context'> | undefined {
  const current = currentValue(doc, record)
  if (current === undefined) return undefined
  const loc = record.location
  if (loc.kind !== 'text') return { current }
  const range = textRange(doc, loc.region ?? loc)
  if (range === null) return { current }
  const s = range.text.toString()
  return { current, context: { before: s.slice(Math.max(0, range.from - CONTEXT), range.from), after: s.slice(range.to, range.to + CONTEXT) } }
}

function textRange(doc: Y.Doc, range: { start: RelativePositionJson; end: RelativePositionJson }): { text: Y.Text; from: number; to: number } | null {
  const start = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(range.start), doc)
  const end = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(range.end), doc)
  if (!start || !end || start.type !== end.type || !(start.type instanceof Y.Text)) return null
  return { text: start.type, from: Math.min(start.index, end.index), to: Math.max(start.index, end.index) }
}

/** The current value at the record's location; undefined when it cannot be located any more. */
export function currentValue(doc: Y.Doc, record: ConflictRecord): unknown {
  const loc = record.location
  if (loc.kind === 'map') {
    const map = mapAt(doc, loc.path.slice(0, -1))
    const key = loc.path.at(-1)
    if (map === null || key === undefined) return undefined
    return map.has(key) ? plainOf(describeValue(map.get(key))) : DELETED
  }
  if (loc.kind === 'text') {
    const range = textRange(doc, loc.region ?? loc)
    return range === null ? undefined : range.text.toString().slice(range.from, range.to)
  }
  if (loc.kind === 'schema') return doc.getMap('meta').get('schemaVersion')
  return undefined
}

/** The Y.Map at a key path from a root map, or null if a step is missing or not a map. */
export function mapAt(doc: Y.Doc, path: string[]): Y.Map<unknown> | null {
  const [root, ...rest] = path
  if (root === undefined) return null
  let map: Y.Map<unknown> = doc.getMap(root)
  for (const key of rest) {
    const next = map.get(key)
    if (!(next instanceof Y.Map)) return null
    map = next
  }
  return map
}
