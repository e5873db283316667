// Internal write records kept by the detector, and the piece walk over a text's item list
// that turns a conflicting pair into a stretch (location) and each party's version.
import * as Y from 'yjs'
import { seesDelete, seesStruct, type DeleteStamp, type InsertStamp, type Knowledge, type StructId } from '../../shared/conflicts/index.ts'
import type { Via } from './MapWrites.ts'
import type { RangeIndex } from './RangeIndex.ts'

/** The deletions one update brought (text characters and map keys); `seen` = what its sender knew then. */
export interface DeleteOp extends DeleteStamp {
  /** Integration order on this server (relay evidence only, never a verdict input). */
  g: number
  via: Via
}

export interface InsertRec extends InsertStamp {
  text: Y.Text
  origin: StructId | null
  rightOrigin: StructId | null
  via: Via
}

/** A clock range of one item, cut where the set of deleting operations changes. */
export interface Piece {
  item: Y.Item
  start: number
  end: number
  deleters: DeleteOp[]
}

export function piecesOf(item: Y.Item, deletions: RangeIndex<DeleteOp>): Piece[] {
  return deletions.slices(item.id.client, item.id.clock, item.length).map((s) => ({ item, start: s.start, end: s.end, deleters: s.values }))
}

export function pieceText(p: Piece): string {
  const content = p.item.content
  if (!(content instanceof Y.ContentString)) return ''
  return content.str.slice(p.start - p.item.id.clock, p.end - p.item.id.clock)
}

export interface Party {
  principal: string
  /** What the party had seen before its edit of the stretch. */
  seen: Knowledge
  via: Via
}

export interface Stretch {
  members: Piece[]
  region: Piece[]
}

/** A stretch walk stops after this many pieces on each side (bounds the cost of one record). */
const MAX_PIECES = 20_000

const sees = (k: Knowledge, p: Piece) => seesStruct(k, { client: p.item.id.client, clock: p.start })

/**
 * Walks left and right from `seed` and returns the stretch: the pieces for which `member` holds,
 * contiguous except for concurrent insertions of the parties and tombstones deleted by none of
 * `ops`. `region` adds the adjacent concurrent insertions on both sides.
 */
export function findStretch(
  seed: Y.Item,
  deletions: RangeIndex<DeleteOp>,
  parties: Party[],
  ops: ReadonlySet<DeleteOp>,
  owners: (client: number) => string | undefined,
  member: (p: Piece) => boolean,
): Stretch | null {
  // A piece belongs between the parties' edits when one party wrote it without another seeing it
  // (a concurrent insertion), or it is a tombstone none of them deleted.
  const concurrent = (p: Piece) => {
    const writer = owners(p.item.id.client)
    if (!parties.some((x) => x.principal === writer)) return false
    return parties.some((x) => x.principal !== writer && !sees(x.seen, p))
  }
  const transparent = (p: Piece) => concurrent(p) || !p.item.countable || (p.item.deleted && !p.deleters.some((op) => ops.has(op)))
  const passes = (p: Piece) => member(p) || transparent(p)
  const left: Piece[] = []
  const right: Piece[] = []
  walk: for (let it = seed.left; it !== null && left.length < MAX_PIECES; it = it.left) {
    const ps = piecesOf(it, deletions)
    for (let i = ps.length - 1; i >= 0; i--) {
      if (!passes(ps[i])) break walk
      left.push(ps[i])
    }
  }
  walk: for (let it = seed.right; it !== null && right.length < MAX_PIECES; it = it.right) {
    for (const p of piecesOf(it, deletions)) {
      if (!passes(p)) break walk
      right.push(p)
    }
  }
  const window = [...left.reverse(), ...piecesOf(seed, deletions), ...right]
  const first = window.findIndex(member)
  if (first < 0) return null
  let last = window.length - 1
  while (!member(window[last])) last--
  let lo = first
  while (lo > 0 && concurrent(window[lo - 1])) lo--
  let hi = last
  while (hi < window.length - 1 && concurrent(window[hi + 1])) hi++
  return { members: window.slice(first, last + 1).filter(member), region: window.slice(lo, hi + 1) }
}

/**
 * What the party meant the region to say: what it had seen plus its own insertions, minus its own
 * deletions and the deletions it had seen. Independent of arrival order, and covers a replacement
 * typed as a deletion and a later insertion.
 */
export function versionOf(region: Piece[], party: Party, owners: (client: number) => string | undefined): string {
  let out = ''
  for (const p of region) {
    if (owners(p.item.id.client) !== party.principal && !sees(party.seen, p)) continue
    if (p.deleters.some((op) => op.principal === party.principal || seesDelete(party.seen, op))) continue
    out += pieceText(p)
  }
  return out
}

/** The region as it reads now. */
export function currentText(region: Piece[]): string {
  let out = ''
  for (const p of region) if (!p.item.deleted) out += pieceText(p)
  return out
}
