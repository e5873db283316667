// Turns collisions into ConflictRecords: one record per contested key or text stretch, listing
// every party and what each meant, with an id every arrival order agrees on.
import * as Y from 'yjs'
import { canonicalJson, groupConflictId, sortParties, type ConflictParty, type ConflictRecord, type RelativePositionJson } from '../../shared/conflicts/index.ts'
import type { MapGroup, MapWrite, Via } from './MapWrites.ts'
import { RangeIndex } from './RangeIndex.ts'
import type { TypePaths } from './paths.ts'
import { currentText, findStretch, pieceText, piecesOf, versionOf, type DeleteOp, type InsertRec, type Party, type Piece } from './records.ts'
import { plainOf } from './typedValue.ts'

/** One contested text stretch: the delete operations that met there and the parties. */
interface TextGroup {
  ops: Set<DeleteOp>
  parties: Map<string, Party>
  seed: Y.Item
  id: string | null
  emitted: string | null
}

const idOf = (id: { client: number; clock: number }) => `${id.client}:${id.clock}`

/** How a collision arose, from how its writes reached the server. */
export function arose(vias: Via[]): NonNullable<ConflictRecord['arose']> {
  if (vias.includes('stored') && vias.some((v) => v !== 'stored')) return 'after-restart'
  if (vias.includes('offline')) return 'offline'
  return 'concurrent-online'
}

export class RecordBuilder {
  #textGroups = new RangeIndex<TextGroup>()
  #duplicates = new Map<string, { parties: Map<string, InsertRec>; emitted: string | null }>()

  constructor(
    readonly docName: string,
    readonly paths: TypePaths,
    readonly deletions: RangeIndex<DeleteOp>,
    readonly owners: (client: number) => string | undefined,
  ) {}

  /**
   * The record of a key's group, or null when it has nothing new to say: the parties agree (same
   * value), or a value never reached the server (its writer garbage-collected it after
   * overwriting it itself).
   */
  map(group: MapGroup, parentKey: string, now: number): ConflictRecord | null {
    const byPrincipal = new Map<string, MapWrite>()
    for (const m of group.members) {
      if (m.typed === null) continue
      const prev = byPrincipal.get(m.principal)
      if (prev === undefined || laterInKey(m, prev)) byPrincipal.set(m.principal, m)
    }
    const parties: ConflictParty[] = [...byPrincipal.values()].map((m) =>
      m.typed?.t === 'deleted'
        ? { principal: m.principal, value: null, deleted: true, typed: m.typed }
        : { principal: m.principal, value: plainOf(m.typed ?? { t: 'deleted' }), typed: m.typed ?? undefined },
    )
    if (parties.length < 2 || new Set(parties.map((p) => canonicalJson(p.typed))).size < 2) return null
    const sorted = sortParties(parties)
    const json = canonicalJson(sorted)
    if (json === group.emitted) return null
    group.emitted = json
    // The anchor: the earliest value any party replaced, as every arrival order sees it.
    const bases = group.members.map((m) => (m.base ? idOf(m.base.id) : 'none')).sort()
    group.id ??= groupConflictId('map-key-overwrite', this.docName, { parent: parentKey, path: group.path, base: bases[0] })
    const location = { kind: 'map' as const, path: group.path }
    return { ...this.#record(group.id, 'map-key-overwrite', location, sorted, now), arose: arose(group.members.map((m) => m.via)) }
  }

  /**
   * Adds a collision in a text (operations `ops` of `parties` met around `seed`) to its stretch's
   * group and returns the group's record; null when unchanged, or the parties agree.
   */
  text(seed: Y.Item, parties: Party[], ops: DeleteOp[], now: number): ConflictRecord | null {
    let group: TextGroup = { ops: new Set(ops), parties: new Map(parties.map((p) => [p.principal, p])), seed, id: null, emitted: null }
    const first = findStretch(seed, this.deletions, parties, group.ops, this.owners, (p) => p.deleters.some((op) => group.ops.has(op)))
    if (first === null) return null
    for (const piece of first.region) {
      for (const g of this.#textGroups.slices(piece.item.id.client, piece.start, piece.end - piece.start).flatMap((s) => s.values)) {
        if (g !== group) group = mergeText(g, group)
      }
    }
    return this.#textRecord(group, now)
  }

  /**
   * A party's later insertion next to its contested stretch (a replacement typed as a deletion,
   * then an insertion) changes what that party meant: the group's record is rebuilt.
   */
  touched(principal: string, neighbours: Array<{ client: number; clock: number } | null>, now: number): ConflictRecord[] {
    const out: ConflictRecord[] = []
    const groups = new Set<TextGroup>()
    for (const n of neighbours) if (n) for (const g of this.#textGroups.get(n.client, n.clock)) if (g.parties.has(principal)) groups.add(g)
    for (const g of groups) {
      const rec = this.#textRecord(g, now)
      if (rec) out.push(rec)
    }
    return out
  }

  #textRecord(group: TextGroup, now: number): ConflictRecord | null {
    const all = [...group.parties.values()]
    const member = (p: Piece) => p.deleters.some((op) => group.ops.has(op))
    const stretch = findStretch(group.seed, this.deletions, all, group.ops, this.owners, member)
    if (stretch === null) return null
    for (const piece of stretch.region) this.#textGroups.add(piece.item.id.client, piece.start, piece.end - piece.start, group)
    const versions = all.map((p) => ({ principal: p.principal, value: versionOf(stretch.region, p, this.owners) }))
    const distinct = new Set(versions.map((v) => v.value))
    // Equal versions are agreement, unless the text now holds more than any party meant (the
    // same insertion made twice): that duplication must be seen.
    if (distinct.size === 1 && currentText(stretch.region) === versions[0].value) return null
    const kind = distinct.size === 1 ? 'duplicated-text' : 'overlapping-text-edit'
    const sorted = sortParties(versions)
    const json = canonicalJson({ kind, sorted })
    if (json === group.emitted) return null
    group.emitted = json
    const location = this.#textLocation(stretch.members, stretch.region)
    group.id ??= groupConflictId('overlapping-text-edit', this.docName, {
      path: location.path,
      first: idOf({ client: stretch.members[0].item.id.client, clock: stretch.members[0].start }),
    })
    return { ...this.#record(group.id, kind, location, sorted, now), arose: arose(all.map((p) => p.via)) }
  }

  /** The same text inserted at one place by several principals, none having seen another's. */
  duplicate(place: string, inserts: Array<{ rec: InsertRec; items: Y.Item[]; text: string }>, now: number): ConflictRecord | null {
    let dup = this.#duplicates.get(place)
    if (dup === undefined) this.#duplicates.set(place, (dup = { parties: new Map(), emitted: null }))
    for (const i of inserts) if (!dup.parties.has(i.rec.principal)) dup.parties.set(i.rec.principal, i.rec)
    const region = inserts
      .flatMap((i) => i.items)
      .sort(byPosition)
      .flatMap((it) => piecesOf(it, this.deletions))
    const sorted = sortParties(inserts.map((i) => ({ principal: i.rec.principal, value: i.text })))
    const json = canonicalJson(sorted)
    if (sorted.length < 2 || json === dup.emitted) return null
    dup.emitted = json
    const location = this.#textLocation(region, region, '')
    const id = groupConflictId('overlapping-text-edit', this.docName, { path: location.path, place })
    return { ...this.#record(id, 'duplicated-text', location, sorted, now), arose: arose(inserts.map((i) => i.rec.via)) }
  }

  #textLocation(members: Piece[], region: Piece[], before?: string) {
    const text = members[0].item.parent as Y.Text
    const path = this.paths.of(text as unknown as Y.AbstractType<unknown>)
    const first = members[0]
    const last = members[members.length - 1]
    return {
      kind: 'text' as const,
      doc: path[path.length - 1],
      path,
      start: this.#position(text, path, first.item.id.client, first.start, 0),
      end: this.#position(text, path, last.item.id.client, last.end - 1, -1),
      text: before ?? members.map(pieceText).join(''),
      // The stretch plus the parties' adjacent insertions: what a resolution replaces.
      region: {
        start: this.#position(text, path, region[0].item.id.client, region[0].start, 0),
        end: this.#position(text, path, region[region.length - 1].item.id.client, region[region.length - 1].end - 1, -1),
      },
    }
  }

  #position(text: Y.Text, path: string[], client: number, clock: number, assoc: number): RelativePositionJson {
    const owner = text._item === null ? { tname: path[0] } : { type: { client: text._item.id.client, clock: text._item.id.clock } }
    return { ...owner, item: { client, clock }, assoc }
  }

  #record(id: string, kind: ConflictRecord['kind'], location: ConflictRecord['location'], parties: ConflictRecord['parties'], now: number): ConflictRecord {
    return { id, kind, doc: this.docName, location, parties, status: 'open', detectedAt: now }
  }
}

/** Of two writes of one principal in a group, the one that stands later in the key (sets after deletes). */
function laterInKey(a: MapWrite, b: MapWrite): boolean {
  if (a.item === null) return false
  if (b.item === null) return true
  for (let it = b.item.right; it !== null; it = it.right) if (it === a.item) return true
  return false
}

function mergeText(into: TextGroup, from: TextGroup): TextGroup {
  for (const op of from.ops) into.ops.add(op)
  for (const [principal, party] of from.parties) if (!into.parties.has(principal)) into.parties.set(principal, party)
  into.id ??= from.id
  return into
}

/** Document order of items of one text (walks right; items are few here). */
function byPosition(a: Y.Item, b: Y.Item): number {
  if (a === b) return 0
  for (let it = a.right; it !== null; it = it.right) if (it === b) return -1
  return 1
}
