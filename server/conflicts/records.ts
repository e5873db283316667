// Internal write records kept by the detector, and the piece walk over a text's item list
// that turns a conflicting pair into a stretch (location) and each party's version.
import * as Y from 'yjs'
import { seesOp, seesStruct, type DeleteStamp, type InsertStamp, type Knowledge } from '../../shared/conflicts/index.ts'
import type { RangeIndex } from './RangeIndex.ts'

/** The text deletions one update brought; `after` = what its sender knew right after sending it. */
export interface DeleteOp extends DeleteStamp {
  /** Integration order on this server (relay evidence only, never a verdict input). */
  g: number
  after: Knowledge
}

export interface InsertRec extends InsertStamp {
  text: Y.Text
  after: Knowledge
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
  /** What the party had seen before its write (membership of the window). */
  seen: Knowledge
  /** What the party knew right after its write (its version). */
  after: Knowledge
}

export interface Stretch {
  members: Piece[]
  region: Piece[]
}

/**
 * Walks left and right from `seed` and returns the stretch: the pieces for which `member` holds,
 * contiguous except for concurrent insertions of either party and tombstones deleted by neither. `region` adds the adjacent concurrent insertions on both sides.
 */
export function findStretch(
  seed: Y.Item,
  deletions: RangeIndex<DeleteOp>,
  parties: [Party, Party],
  ops: DeleteOp[],
  owners: (client: number) => string | undefined,
  member: (p: Piece) => boolean,
): Stretch | null {
  // A piece belongs between the parties' edits when one party wrote it without the other seeing it
  // (a concurrent insertion), or it is a tombstone neither of them deleted.
  const concurrent = (p: Piece) => {
    const writer = parties.find((x) => x.principal === owners(p.item.id.client))
    const other = parties.find((x) => x !== writer)
    return writer !== undefined && other !== undefined && !seesStruct(other.seen, { client: p.item.id.client, clock: p.start })
  }
  const transparent = (p: Piece) => concurrent(p) || !p.item.countable || (p.item.deleted && !p.deleters.some((op) => ops.includes(op)))
  const window: Piece[] = piecesOf(seed, deletions)
  const passes = (p: Piece) => member(p) || transparent(p)
  for (let it = seed.left; it !== null; it = it.left) {
    const ps = piecesOf(it, deletions)
    let stop = false
    for (let i = ps.length - 1; i >= 0; i--) {
      if (!passes(ps[i])) { stop = true; break }
      window.unshift(ps[i])
    }
    if (stop) break
  }
  for (let it = seed.right; it !== null; it = it.right) {
    const ps = piecesOf(it, deletions)
    let stop = false
    for (const p of ps) {
      if (!passes(p)) { stop = true; break }
      window.push(p)
    }
    if (stop) break
  }
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

/** The region as `k` shows it: pieces it had integrated, minus deletions it had seen. */
export function versionOf(region: Piece[], k: Knowledge): string {
  let out = ''
  for (const p of region) {
    if (!seesStruct(k, { client: p.item.id.client, clock: p.start })) continue
    if (p.deleters.some((op) => seesOp(k, op))) continue
    out += pieceText(p)
  }
  return out
}
