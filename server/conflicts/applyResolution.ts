// Writes a chosen value where a conflict happened, as a normal edit of the shared document.

import * as Y from 'yjs'
import type { ConflictRecord } from '../../shared/conflicts/index.ts'

export class ResolutionError extends Error {}

/** Mutates `doc` (a scratch copy of the room) so the conflicted place holds `value`. */
export function applyResolution(doc: Y.Doc, record: ConflictRecord, value: unknown): void {
  const loc = record.location
  if (loc.kind === 'map') {
    const [root, ...rest] = loc.path
    let map: Y.Map<unknown> = doc.getMap(root)
    for (const key of rest.slice(0, -1)) {
      const next = map.get(key)
      if (!(next instanceof Y.Map)) throw new ResolutionError(`${loc.path.join('.')} no longer exists`)
      map = next
    }
    const last = rest.at(-1)
    if (last === undefined) throw new ResolutionError('a conflict on a root map cannot be resolved by a value')
    map.set(last, value)
    return
  }
  if (loc.kind === 'text') {
    if (typeof value !== 'string') throw new ResolutionError('a text conflict is resolved with a string')
    const range = loc.region ?? loc
    const start = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(range.start), doc)
    const end = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(range.end), doc)
    if (!start || !end || start.type !== end.type || !(start.type instanceof Y.Text)) {
      throw new ResolutionError(`the conflicted stretch of ${loc.doc} can no longer be found`)
    }
    const text = start.type
    const from = Math.min(start.index, end.index)
    const to = Math.max(start.index, end.index)
    text.delete(from, to - from)
    text.insert(from, value)
  }
  if (loc.kind === 'schema') {
    doc.getMap('meta').set('schemaVersion', value)
    return
  }
  // claim races change no document: the record keeps the decision.
}
