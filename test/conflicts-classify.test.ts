// The pure classification policy, case by case.
import { describe, expect, it } from 'vitest'
import {
  EMPTY_KNOWLEDGE,
  classifyInsertion,
  classifyRedelete,
  conflictId,
  mapWritesConflict,
  mergeKnowledge,
  withOp,
  withStruct,
  type DeleteStamp,
  type Knowledge,
} from '../shared/conflicts/index.ts'

const sees = (...ids: Array<[number, number]>): Knowledge => ids.reduce((k, [client, clock]) => withStruct(k, { client, clock }), EMPTY_KNOWLEDGE)
const op = (principal: string, stream: string, seq: number, seen: Knowledge = EMPTY_KNOWLEDGE): DeleteStamp => ({ principal, stream, seq, seen })

describe('mapWritesConflict', () => {
  const a = { id: { client: 1, clock: 5 }, principal: 'alice', seen: sees([9, 0]) }
  it.each([
    ['neither saw the other', { id: { client: 2, clock: 0 }, principal: 'bob', seen: sees([9, 0]) }, true],
    ['b saw a (origin chain covers it)', { id: { client: 2, clock: 0 }, principal: 'bob', seen: sees([1, 5]) }, false],
    ['b saw a later write of a\'s client', { id: { client: 2, clock: 0 }, principal: 'bob', seen: sees([1, 7]) }, false],
    ['b saw only an earlier write of a\'s client', { id: { client: 2, clock: 0 }, principal: 'bob', seen: sees([1, 4]) }, true],
    ['same principal', { id: { client: 2, clock: 0 }, principal: 'alice', seen: EMPTY_KNOWLEDGE }, false],
  ])('%s', (_name, b, expected) => {
    expect(mapWritesConflict(a, b)).toBe(expected)
    expect(mapWritesConflict(b, a)).toBe(expected)
  })
})

describe('classifyRedelete', () => {
  const first = op('alice', 's1', 3)
  it('re-deleting what another principal deleted unseen is a conflict', () => {
    expect(classifyRedelete(first, op('bob', 's2', 1), false)).toBe('conflict')
  })
  it('a relayed deletion is not', () => {
    expect(classifyRedelete(first, op('bob', 's2', 1), true)).toBe('relay')
    expect(classifyRedelete(first, op('bob', 's2', 1, withOp(EMPTY_KNOWLEDGE, { stream: 's1', seq: 3 })), false)).toBe('relay')
  })
  it('seeing an earlier op of the stream does not cover a later one', () => {
    expect(classifyRedelete(first, op('bob', 's2', 1, withOp(EMPTY_KNOWLEDGE, { stream: 's1', seq: 2 })), false)).toBe('conflict')
  })
  it('same principal never conflicts', () => {
    expect(classifyRedelete(first, op('alice', 's9', 1), false)).toBe('same-principal')
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
    expect([...mergeKnowledge(a, sees([1, 9])).sv]).toEqual([[1, 10], [2, 2]])
  })
  it('conflict ids are deterministic and key-order independent', () => {
    const loc = { kind: 'map' as const, path: ['tasks', 't1', 'status'] }
    const id = conflictId('map-key-overwrite', 'w/shared', loc, [{ principal: 'a', value: { x: 1, y: 2 } }, { principal: 'b', value: 'z' }])
    expect(conflictId('map-key-overwrite', 'w/shared', loc, [{ principal: 'a', value: { y: 2, x: 1 } }, { principal: 'b', value: 'z' }])).toBe(id)
    expect(conflictId('map-key-overwrite', 'w/shared', loc, [{ principal: 'a', value: 1 }, { principal: 'b', value: 'z' }])).not.toBe(id)
  })
})
