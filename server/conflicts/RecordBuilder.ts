// Turns a conflicting pair of writes into a ConflictRecord (location, parties, deterministic id).
import * as Y from 'yjs'
import { canonicalJson, conflictId, sortParties, type ConflictRecord, type RelativePositionJson } from '../../shared/conflicts/index.ts'
import { UNKNOWN, type MapWrite } from './MapWrites.ts'
import type { RangeIndex } from './RangeIndex.ts'
import type { TypePaths } from './paths.ts'
import { findStretch, pieceText, versionOf, type DeleteOp, type Party, type Piece } from './records.ts'

export class RecordBuilder {
  constructor(
    readonly docName: string,
    readonly paths: TypePaths,
    readonly deletions: RangeIndex<DeleteOp>,
    readonly owners: (client: number) => string | undefined,
  ) {}

  /**
   * null when both intended the same value (agreement, nothing to resolve) or a value never
   * reached the server (its writer garbage-collected it after overwriting it itself).
   */
  map(path: string[], a: MapWrite, b: MapWrite, now: number): ConflictRecord | null {
    if (a.value === UNKNOWN || b.value === UNKNOWN || canonicalJson(a.value) === canonicalJson(b.value)) return null
    const parties = sortParties([
      { principal: a.principal, value: a.value },
      { principal: b.principal, value: b.value },
    ])
    const location = { kind: 'map' as const, path }
    return this.#record('map-key-overwrite', location, parties, now)
  }

  /** null when the stretch cannot be found or both versions are equal. */
  text(seed: Y.Item, a: Party, b: Party, ops: DeleteOp[], member: (p: Piece) => boolean, now: number): ConflictRecord | null {
    const stretch = findStretch(seed, this.deletions, [a, b], ops, this.owners, member)
    if (stretch === null) return null
    const va = versionOf(stretch.region, a.after)
    const vb = versionOf(stretch.region, b.after)
    if (va === vb) return null
    const text = seed.parent as Y.Text
    const path = this.paths.of(text as unknown as Y.AbstractType<unknown>)
    const first = stretch.members[0]
    const last = stretch.members[stretch.members.length - 1]
    const location = {
      kind: 'text' as const,
      doc: path[path.length - 1],
      path,
      start: this.#position(text, path, first.item.id.client, first.start, 0),
      end: this.#position(text, path, last.item.id.client, last.end - 1, -1),
      text: stretch.members.map(pieceText).join(''),
      // The stretch plus both parties' adjacent insertions: what a resolution replaces.
      region: {
        start: this.#position(text, path, stretch.region[0].item.id.client, stretch.region[0].start, 0),
        end: this.#position(text, path, stretch.region[stretch.region.length - 1].item.id.client, stretch.region[stretch.region.length - 1].end - 1, -1),
      },
    }
    const parties = sortParties([
      { principal: a.principal, value: va },
      { principal: b.principal, value: vb },
    ])
    return this.#record('overlapping-text-edit', location, parties, now)
  }

  #position(text: Y.Text, path: string[], client: number, clock: number, assoc: number): RelativePositionJson {
    const owner = text._item === null ? { tname: path[0] } : { type: { client: text._item.id.client, clock: text._item.id.clock } }
    return { ...owner, item: { client, clock }, assoc }
  }

  #record(kind: ConflictRecord['kind'], location: ConflictRecord['location'], parties: ConflictRecord['parties'], now: number): ConflictRecord {
    return { id: conflictId(kind, this.docName, location, parties), kind, doc: this.docName, location, parties, status: 'open', detectedAt: now }
  }
}
