// [review] Who may act on an interpretive difference (pure), who may resolve an operational
// conflict (pure), merging per-namespace review rooms, and the accept decision on a document
// (pure Yjs): exact → applied with the ids it touched; changed → stale or conflict.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { decideReviewAction, mergeReviewStates, emptyReviewState, REVIEW_ACTIONS } from '../shared/review/index.ts'
import { decideConflictResolution, type ConflictLocation } from '../shared/conflicts/index.ts'
import { ROLES, type Role } from '../shared/model.ts'
import { createAnchor } from '../shared/anchoring/index.ts'
import { makeProposal } from '../shared/annotations.ts'
import { acceptInto } from '../server/review/acceptInto.ts'

describe('decideReviewAction', () => {
  const table: Record<Role, string> = { owner: 'keep reply promote accept reject', editor: 'keep reply promote accept reject', reviewer: 'keep reply reject', viewer: '' }
  for (const role of ROLES) {
    it(`${role}: ${table[role] || 'nothing'}`, () => {
      const allowed = REVIEW_ACTIONS.filter((a) => decideReviewAction(role, true, a).allow)
      expect(allowed.join(' ')).toBe(table[role])
      // Nobody acts on a namespace they may not read; non-members never act.
      expect(REVIEW_ACTIONS.filter((a) => decideReviewAction(role, false, a).allow)).toEqual([])
    })
  }
  it('non-members may do nothing', () => {
    expect(REVIEW_ACTIONS.some((a) => decideReviewAction(null, true, a).allow)).toBe(false)
  })
})

describe('decideConflictResolution', () => {
  // Resolving writes the shared document (or decides a claim): exactly its writers (owners, editors) resolve.
  const table: Record<Role, boolean> = { owner: true, editor: true, reviewer: false, viewer: false }
  const locations: ConflictLocation[] = [
    { kind: 'map', path: ['meta', 'title'] },
    { kind: 'task', taskId: 't1' },
  ]
  for (const role of ROLES) {
    it(`${role}: ${table[role] ? 'resolves' : 'may not resolve'}`, () => {
      for (const location of locations) {
        const decision = decideConflictResolution(role, { location })
        expect(decision.allow).toBe(table[role])
        if (!decision.allow) expect(decision.reason).toContain('only owners and editors')
      }
    })
  }
  it('non-members may not', () => {
    expect(decideConflictResolution(null, { location: locations[0] }).allow).toBe(false)
  })
})

describe('mergeReviewStates', () => {
  it('takes from each namespace’s room only the entries about that namespace', () => {
    const a = emptyReviewState()
    a.decisions.set('agent-a/x', { action: 'keep', by: 'rita', at: 1 })
    // A value about another namespace in agent-a's room counts for nothing.
    a.decisions.set('agent-b/y', { action: 'keep', by: 'rita', at: 1 })
    a.replies.set('agent-b/y', [{ id: 'r-1', target: 'agent-b/y', author: 'rita', text: 'hi', at: 1 }])
    const b = emptyReviewState()
    b.proposals.set('agent-b/p', { status: 'rejected', by: 'alice', at: 2 })
    const merged = mergeReviewStates([
      ['agent-a', a],
      ['agent-b', b],
    ])
    expect([...merged.decisions.keys()]).toEqual(['agent-a/x'])
    expect([...merged.replies.keys()]).toEqual([])
    expect([...merged.proposals.keys()]).toEqual(['agent-b/p'])
  })
})

describe('acceptInto', () => {
  const TEXT = 'The quick brown fox jumps.'
  function setup() {
    const doc = new Y.Doc()
    const text = new Y.Text()
    doc.getMap('docs').set('d', text)
    text.insert(0, TEXT)
    const propose = (author: string, quote: string, replacement: string) => {
      const start = text.toString().indexOf(quote)
      return makeProposal({ author, doc: 'd', target: createAnchor(text, start, start + quote.length), replacement, rationale: '', createdAt: 1 })
    }
    return { doc, text, propose }
  }

  it('applies an exact proposal and records what it deleted and inserted', () => {
    const { doc, text, propose } = setup()
    const v = acceptInto(doc, { room: 'w/shared', proposal: propose('a', 'quick brown', ''), accepted: [], now: 1 })
    expect(text.toString()).toBe('The  fox jumps.')
    expect(v.kind === 'applied' && v.applied).toMatchObject({ quote: 'quick brown', inserted: null, deleted: [{ length: 11 }] })
    expect(acceptInto(doc, { room: 'w/shared', proposal: { ...propose('a', 'fox', 'cat'), doc: 'gone' }, accepted: [], now: 1 }).kind).toBe('missing')
  })

  it('a stretch rewritten by an earlier accepted proposal is a conflict; by anything else, stale', () => {
    const { doc, text, propose } = setup()
    const first = propose('a', 'quick brown', 'slow red')
    const second = propose('b', 'brown fox', 'grey wolf')
    const applied = acceptInto(doc, { room: 'w/shared', proposal: first, accepted: [], now: 1 })
    if (applied.kind !== 'applied') throw new Error('expected the first to apply')
    // Without knowing the first was an accepted proposal, the second is merely stale.
    expect(acceptInto(doc, { room: 'w/shared', proposal: second, accepted: [], now: 2 }).kind).toBe('stale')
    const v = acceptInto(doc, { room: 'w/shared', proposal: second, accepted: [{ key: 'a/p1', edit: applied.applied }], now: 2 })
    expect(v.kind).toBe('conflict')
    if (v.kind !== 'conflict') return
    expect(v.record.parties).toEqual([
      { principal: 'a', value: 'slow red fox' },
      { principal: 'b', value: 'quick grey wolf' },
    ])
    expect(text.toString()).toBe('The slow red fox jumps.')
  })
})
