// Writes a chosen value where a conflict happened, as a normal edit of the shared document.

import * as Y from 'yjs'
import type { ConflictRecord, TypedValue } from '../../shared/conflicts/index.ts'
import { mapAt } from './currentValue.ts'
import { buildValue } from './typedValue.ts'
import { DomainError } from '../errors.ts'

/** The chosen value no longer has a place to go: the document moved on (409). */
export class ResolutionError extends DomainError {
  constructor(message: string) {
    super('conflict', 'conflict', message)
  }
}

/**
 * Mutates `doc` (a scratch copy of the room) so the conflicted place holds `value`. A map value
 * given `typed` (a party's value as recorded) is rebuilt with its Yjs types; `deleted` removes the key.
 */
export function applyResolution(doc: Y.Doc, record: ConflictRecord, value: unknown, typed?: TypedValue): void {
  const loc = record.location
  if (loc.kind === 'map') {
    const map = mapAt(doc, loc.path.slice(0, -1))
    if (map === null) throw new ResolutionError(`${loc.path.slice(0, -1).join('.')} no longer exists`)
    const last = loc.path.at(-1)
    if (last === undefined || loc.path.length < 2) throw new ResolutionError('a conflict on a root map cannot be resolved by a value')
    if (typed?.t === 'deleted') map.delete(last)
    else map.set(last, typed ? buildValue(typed) : value)
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
