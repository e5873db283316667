// Version tokens for the document REST API, and ranges read at a version mapped to now.
//
// A token is the shared room's Yjs snapshot (state vector + delete set) as base64url: a pure
// state vector would not change when someone only deletes. A client computes a range on the
// text it read; the server finds the characters that stood at that range in that version (the
// room keeps deleted items: gc is off for the conflict detector) and turns them into Yjs
// relative positions, which say where the same characters are now, whatever was inserted or
// deleted elsewhere since.

import { createHash } from 'node:crypto'
import * as Y from 'yjs'

/** Tokens above this are refused unread (a snapshot of any real room is far smaller). */
export const MAX_VERSION_CHARS = 1_000_000

export function versionOf(doc: Y.Doc): string {
  return Buffer.from(Y.encodeSnapshotV2(Y.snapshot(doc))).toString('base64url')
}

/** A strong ETag naming the version (short, for headers; the token itself goes in bodies). */
export function etagOf(version: string): string {
  return `"${createHash('sha256').update(version).digest('base64url').slice(0, 22)}"`
}

/** The snapshot a token names, or null when it is not one this document could have had. */
export function decodeVersion(token: string, doc: Y.Doc): Y.Snapshot | null {
  if (token.length > MAX_VERSION_CHARS || !/^[A-Za-z0-9_-]*$/.test(token)) return null
  let snap: Y.Snapshot
  try {
    snap = Y.decodeSnapshotV2(Buffer.from(token, 'base64url'))
  } catch {
    return null
  }
  // A version from the future (or another document) names writes this room never had.
  const now = Y.decodeStateVector(Y.encodeStateVector(doc))
  for (const [client, clock] of snap.sv) if (clock > (now.get(client) ?? 0)) return null
  return snap
}

interface Run {
  client: number
  clock: number
  len: number
  /** The characters, when the item still holds them (always, with gc off). */
  str: string | null
}

/** The characters of `text` visible at `snap`, in document order, as runs of consecutive ids. */
function runsAt(text: Y.Text, snap: Y.Snapshot): Run[] {
  const out: Run[] = []
  for (let item = text._start; item !== null; item = item.right) {
    // Formatting marks never count as characters; deleted content (ContentDeleted) was text.
    if (item.content instanceof Y.ContentFormat || (!item.countable && !(item.content instanceof Y.ContentDeleted))) continue
    const { client, clock } = item.id
    const seen = Math.min(item.length, Math.max(0, (snap.sv.get(client) ?? 0) - clock))
    if (seen === 0) continue
    const str = item.content instanceof Y.ContentString ? item.content.str : null
    let from = clock
    const end = clock + seen
    for (const d of snap.ds.clients.get(client) ?? []) {
      if (d.clock + d.len <= from || d.clock >= end) continue
      if (d.clock > from) out.push(run(client, from, d.clock, clock, str))
      from = Math.max(from, d.clock + d.len)
    }
    if (from < end) out.push(run(client, from, end, clock, str))
  }
  return out
}

const run = (client: number, from: number, to: number, itemClock: number, str: string | null): Run => ({
  client,
  clock: from,
  len: to - from,
  str: str === null ? null : str.slice(from - itemClock, to - itemClock),
})

export interface VersionedRange {
  start: Y.RelativePosition
  end: Y.RelativePosition
  /** The characters the range covered at the version, by id (to tell whether they survive). */
  runs: Array<{ client: number; clock: number; len: number }>
  /** Just after the character before the range, just before the one after it (text edges at the ends). */
  outerStart: Y.RelativePosition
  outerEnd: Y.RelativePosition
  /** What the range held at the version. */
  was: string
  length: number
}

/**
 * The range [from, to) of `text` as it was at `snap`, as relative positions: the start sticks
 * to the first character (assoc 0), the end to the last (assoc -1), so text inserted at either
 * edge since stays outside. Null when the range does not fit the text at that version.
 */
export function rangeAtVersion(text: Y.Text, snap: Y.Snapshot, from: number, to: number): VersionedRange | { outOfRange: number } {
  const runs = runsAt(text, snap)
  const total = runs.reduce((n, r) => n + r.len, 0)
  if (from < 0 || to < from || to > total) return { outOfRange: total }
  const type = text._item?.id ?? null
  const tname = type === null ? findRootName(text) : null
  const at = (index: number, assoc: number) => {
    let offset = index
    for (const r of runs) {
      if (offset < r.len) return new Y.RelativePosition(type, tname, Y.createID(r.client, r.clock + offset), assoc)
      offset -= r.len
    }
    throw new Error(`index ${index} past the text`)
  }
  const typeEdge = (assoc: number) => new Y.RelativePosition(type, tname, null, assoc)
  let start: Y.RelativePosition
  if (from < total) start = at(from, 0)
  else if (total > 0) start = at(total - 1, -1)
  // An empty text at that version: anything written since comes first, so insert at its end.
  else start = typeEdge(0)
  const end = to > from ? at(to - 1, -1) : start
  const outerStart = from > 0 ? at(from - 1, -1) : typeEdge(-1)
  const outerEnd = to < total ? at(to, 0) : typeEdge(0)
  const covered: VersionedRange['runs'] = []
  let was = ''
  let offset = 0
  for (const r of runs) {
    const lo = Math.max(from, offset)
    const hi = Math.min(to, offset + r.len)
    if (lo < hi) {
      covered.push({ client: r.client, clock: r.clock + lo - offset, len: hi - lo })
      was += r.str?.slice(lo - offset, hi - offset) ?? '\uFFFD'.repeat(hi - lo)
    }
    offset += r.len
  }
  return { start, end, outerStart, outerEnd, runs: covered, was, length: to - from }
}

function findRootName(text: Y.Text): string | null {
  for (const [name, type] of text.doc?.share ?? []) if ((type as unknown) === text) return name
  return null
}

/**
 * Where a versioned range is in `text` now, and whether its own characters changed since.
 * `around` spans from its old neighbours: what now stands where the range was, even when
 * the range's own first or last characters were deleted.
 */
export function rangeNow(text: Y.Text, range: VersionedRange): { start: number; end: number; changed: boolean; around: { start: number; end: number } } | null {
  const doc = text.doc
  if (!doc) return null
  const start = Y.createAbsolutePositionFromRelativePosition(range.start, doc)
  const end = Y.createAbsolutePositionFromRelativePosition(range.end, doc)
  // The positions are in another text (the document was replaced or deleted): nothing to map.
  if (!start || !end || start.type !== text || end.type !== text) return null
  const deleted = range.runs.some((r) => anyDeleted(doc, r))
  const s = start.index
  const e = Math.max(s, end.index)
  const outerStart = Y.createAbsolutePositionFromRelativePosition(range.outerStart, doc)
  const outerEnd = Y.createAbsolutePositionFromRelativePosition(range.outerEnd, doc)
  const aroundStart = outerStart?.type === text ? Math.min(outerStart.index, s) : s
  const aroundEnd = outerEnd?.type === text ? Math.max(outerEnd.index, e) : e
  return { start: s, end: e, changed: deleted || e - s !== range.length, around: { start: aroundStart, end: aroundEnd } }
}

function anyDeleted(doc: Y.Doc, r: { client: number; clock: number; len: number }): boolean {
  for (let clock = r.clock; clock < r.clock + r.len; ) {
    const item = Y.getItem(doc.store, Y.createID(r.client, clock))
    if (!(item instanceof Y.Item) || item.deleted) return true
    clock = item.id.clock + item.length
  }
  return false
}
