// What stands now where a conflict happened, read from the live document when records are listed
// (so it is always current): a key's value (or `deleted`), a text stretch as it reads now.
import * as Y from 'yjs'
import type { ConflictRecord } from '../../shared/conflicts/index.ts'
import { describeValue, plainOf } from './typedValue.ts'

export const DELETED = { deleted: true } as const

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
    const range = loc.region ?? loc
    const start = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(range.start), doc)
    const end = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(range.end), doc)
    if (!start || !end || start.type !== end.type || !(start.type instanceof Y.Text)) return undefined
    return start.type.toString().slice(Math.min(start.index, end.index), Math.max(start.index, end.index))
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
