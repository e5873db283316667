// The pure classification policy, case by case.
import { describe, expect, it } from 'vitest'
import {
  EMPTY_KNOWLEDGE,
  classifyInsertion,
  classifyRedelete,
  redeleteConflicts,
  conflictId,
  mapWritesConcurrent,
  type MapWriteStamp,
  mergeKnowledge,
  withOp,
  withStruct,
  type DeleteStamp,
  type Knowledge,
} from '../shared/conflicts/index.ts'

const sees = (...ids: Array<[number, number]>): Knowledge => ids.reduce((k, [client, clock]) => withStruct(k, { client, clock }), EMPTY_KNOWLEDGE)
const op = (principal: string, stream: string, seq: number, seen: Knowledge = EMPTY_KNOWLEDGE): DeleteStamp => ({ principal, stream, seq, seen })

describe('mapWritesConcurrent', () => {
  const set = (client: number, clock: number, principal: string, seen: Knowledge): MapWriteStamp => ({ principal, seen, write: { struct: { client, clock } } })
  const a = set(1, 5, 'alice', sees([9, 0]))
  const never = () => false
  it.each([
    ['neither saw the other', set(2, 0, 'bob', sees([9, 0])), true],
    ['b saw a (origin chain covers it)', set(2, 0, 'bob', sees([1, 5])), false],
    ["b saw a later write of a's client", set(2, 0, 'bob', sees([1, 7])), false],
    ["b saw only an earlier write of a's client", set(2, 0, 'bob', sees([1, 4])), true],
    ['same principal', set(2, 0, 'alice', EMPTY_KNOWLEDGE), false],
  ])('%s', (_name, b, expected) => {
    expect(mapWritesConcurrent(a, b, never)).toBe(expected)
    expect(mapWritesConcurrent(b, a, never)).toBe(expected)
  })
  it('structural proof of not having seen wins over credit', () => {
    const b = set(2, 0, 'bob', sees([1, 5]))
    expect(mapWritesConcurrent(a, b, (x) => x === b)).toBe(true)
  })
  it('a delete is seen through its operation', () => {
    const del: MapWriteStamp = { principal: 'bob', seen: sees([9, 0]), write: { op: { stream: 's2', seq: 1 } } }
    expect(mapWritesConcurrent(a, del, never)).toBe(true)
    expect(mapWritesConcurrent({ ...a, seen: withOp(a.seen, { stream: 's2', seq: 1 }) }, del, never)).toBe(false)
  })
})

describe('classifyRedelete', () => {
  const first = op('alice', 's1', 3)
  it('re-deleting what another principal deleted unseen is a conflict', () => {
    expect(classifyRedelete(first, op('bob', 's2', 1), true, false)).toBe('conflict')
  })
  it('in an incremental update a re-deletion is a conflict whatever was credited (Yjs deletes only live text)', () => {
    expect(classifyRedelete(first, op('bob', 's2', 1, withOp(EMPTY_KNOWLEDGE, { stream: 's1', seq: 3 })), false, false)).toBe('conflict')
  })
  it('a relayed deletion is not', () => {
    expect(classifyRedelete(first, op('bob', 's2', 1), true, true)).toBe('relay')
    expect(classifyRedelete(first, op('bob', 's2', 1, withOp(EMPTY_KNOWLEDGE, { stream: 's1', seq: 3 })), true, false)).toBe('relay')
    expect(classifyRedelete({ ...first, struct: { client: 7, clock: 2 } }, op('bob', 's2', 1, sees([7, 2])), true, false)).toBe('relay')
  })
  it('seeing an earlier op of the stream does not cover a later one', () => {
    expect(classifyRedelete(first, op('bob', 's2', 1, withOp(EMPTY_KNOWLEDGE, { stream: 's1', seq: 2 })), true, false)).toBe('conflict')
  })
  it('same principal never conflicts', () => {
    expect(classifyRedelete(first, op('alice', 's9', 1), false, false)).toBe('same-principal')
  })
})

describe('redeleteConflicts', () => {
  const alice = { ...op('alice', 's1', 3), struct: { client: 7, clock: 2 } }
  const carol = op('carol', 's3', 1)
  const never = () => false
  it('a writer that had seen one of two concurrent deletions relays it: no conflict with either', () => {
    expect(redeleteConflicts([alice, carol], op('bob', 's2', 1, sees([7, 2])), true, never)).toEqual([])
    expect(redeleteConflicts([alice, carol], op('bob', 's2', 1), true, (f) => f === carol)).toEqual([])
  })
  it('a writer that had seen none conflicts with each of them', () => {
    expect(redeleteConflicts([alice, carol], op('bob', 's2', 1), true, never)).toEqual([alice, carol])
  })
  it('an incremental update (not relay-capable) conflicts with every other principal, whatever it was credited', () => {
    expect(redeleteConflicts([alice, carol], op('bob', 's2', 1, sees([7, 2])), false, () => true)).toEqual([alice, carol])
  })
  it("its own principal's deletion is neither a conflict nor evidence of a relay", () => {
    expect(redeleteConflicts([op('bob', 's9', 1), carol], op('bob', 's2', 1), true, never)).toEqual([carol])
  })
})

describe('classifyInsertion', () => {
  const ins = { id: { client: 2, clock: 10 }, principal: 'bob', seen: sees([1, 50]) }
  const del = op('alice', 's1', 1, sees([1, 50]))
  it('both neighbours deleted by one concurrent principal: conflict', () => {
    expect(classifyInsertion(ins, [del], [del], [])).toEqual(['alice'])
  })
  it('only one neighbour deleted (insertion at the edge): none', () => {
    expect(classifyInsertion(ins, [del], [], [])).toEqual([])
    expect(classifyInsertion(ins, [], [del], [])).toEqual([])
  })
  it('the inserter had seen the deletion: none', () => {
    const seen = { ...ins, seen: withOp(ins.seen, del) }
    expect(classifyInsertion(seen, [del], [del], [])).toEqual([])
  })
  it('the deleter had seen the insertion, or deleted it too: none', () => {
    expect(classifyInsertion(ins, [op('alice', 's1', 1, sees([2, 10]))], [op('alice', 's1', 1, sees([2, 10]))], [])).toEqual([])
    expect(classifyInsertion(ins, [del], [del], [del])).toEqual([])
  })
  it('neighbours deleted by different principals: none', () => {
    expect(classifyInsertion(ins, [del], [op('carol', 's3', 1)], [])).toEqual([])
  })
})

describe('knowledge and ids', () => {
  it('merge keeps the larger entries and returns the input when nothing is new', () => {
    const a = sees([1, 4], [2, 1])
    expect(mergeKnowledge(a, sees([1, 2]))).toBe(a)
    expect([...mergeKnowledge(a, sees([1, 9])).sv.entries()].sort(([x], [y]) => x - y)).toEqual([
      [1, 10],
      [2, 2],
    ])
  })
  it('conflict ids are deterministic and key-order independent', () => {
    const loc = { kind: 'map' as const, path: ['tasks', 't1', 'status'] }
    const id = conflictId('map-key-overwrite', 'w/shared', loc, [
      { principal: 'a', value: { x: 1, y: 2 } },
      { principal: 'b', value: 'z' },
    ])
    expect(
      conflictId('map-key-overwrite', 'w/shared', loc, [
        { principal: 'a', value: { y: 2, x: 1 } },
        { principal: 'b', value: 'z' },
      ]),
    ).toBe(id)
    expect(
      conflictId('map-key-overwrite', 'w/shared', loc, [
        { principal: 'a', value: 1 },
        { principal: 'b', value: 'z' },
      ]),
    ).not.toBe(id)
  })
})
