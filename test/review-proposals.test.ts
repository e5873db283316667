// [review] Accepting and rejecting proposed edits. Accepting applies the replacement to the
// shared text as an edit by the accepting person; a proposal whose text changed is never
// applied blindly: overlapping an earlier accepted proposal it is an operational conflict
// (recorded once, resolved like any other), changed by ordinary edits it is stale.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced } from './helpers/clients.ts'
import { httpJson, type JsonResponse } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import type { Agent } from '../agents/index.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'
import type { Divergences } from '../shared/review/index.ts'

const t = useHarness()

const TEXT = 'Revenue grew 40% last year. Most customers renewed. The team doubled in size.'
type ErrorBody = { error: { code: string; message: string; conflict?: string } }

const api = <T = ErrorBody>(who: string, method: string, path: string, body?: unknown): Promise<JsonResponse<T>> =>
  httpJson<T>(t.server.url + path, { method, token: token(who), body })
const accept = (who: string, owner: string, id: string) => api<ErrorBody & { status: string; text: string }>(who, 'POST', `/api/workspaces/w1/proposals/${owner}/${id}/accept`)
const conflicts = async (status = 'all') => (await api<{ conflicts: ConflictRecord[] }>('alice', 'GET', `/api/workspaces/w1/conflicts?status=${status}`)).json.conflicts

async function setup() {
  await t.start()
  const a = await t.agent('agent-a')
  const b = await t.agent('agent-b')
  a.createDocument('report', TEXT)
  await a.flushed()
  await waitFor(() => b.documents().includes('report'), 'agent-b to see the report')
  const bob = t.stock('w1/shared', 'bob')
  await synced(bob)
  const report = (c: { doc: Y.Doc } | Agent) => (('shared' in c ? c.shared : c.doc).getMap('docs').get('report') as Y.Text).toString()
  return { a, b, bob, report }
}

describe('accepting proposed edits', () => {
  it('two overlapping proposals: the first applies for everyone, the second is one operational conflict, resolving picks one', async () => {
    const { a, b, bob, report } = await setup()
    const pa = a.propose('report', { quote: 'Revenue grew 40% last year.' }, 'Revenue grew 38% in 2024.', 'Match the audited figure.')
    const pb = b.propose('report', { quote: 'Revenue grew 40% last year.' }, 'Revenue rose sharply last year.', 'Avoid a figure we cannot source.')
    await Promise.all([a.flushed(), b.flushed()])

    const first = await accept('alice', 'agent-a', pa.id)
    expect(first.status).toBe(200)
    const afterFirst = TEXT.replace('Revenue grew 40% last year.', 'Revenue grew 38% in 2024.')
    expect(first.json.text).toBe(afterFirst)
    await waitFor(() => report(bob) === afterFirst && report(a) === afterFirst && report(b) === afterFirst, 'every client to see the accepted edit')
    // Attributed to the accepting person, not to the proposer.
    expect((await t.server.storage.history('w1/shared')).at(-1)?.principal).toBe('alice')

    const second = await accept('alice', 'agent-b', pb.id)
    expect(second.status).toBe(409)
    expect(second.json.error.code).toBe('proposal_conflict')
    const open = await conflicts('open')
    expect(open).toHaveLength(1)
    const [c] = open
    expect(c.id).toBe(second.json.error.conflict)
    expect(c.kind).toBe('overlapping-text-edit')
    expect(c.parties).toEqual([
      { principal: 'agent-a', value: 'Revenue grew 38% in 2024.' },
      { principal: 'agent-b', value: 'Revenue rose sharply last year.' },
    ])
    expect(c.location.kind === 'text' && c.location.text).toBe('Revenue grew 40% last year.')
    expect(report(bob)).toBe(afterFirst) // the second was not applied blindly
    // Asking again answers with the same conflict and records nothing new.
    const retry = await accept('alice', 'agent-b', pb.id)
    expect(retry.json.error.conflict).toBe(c.id)
    expect(await conflicts('all')).toHaveLength(1)
    // The review view shows both statuses.
    const d = (await api<Divergences>('alice', 'GET', '/api/workspaces/w1/divergences?doc=report')).json
    expect(d.proposals?.map((p) => [p.author, p.status, p.decision?.conflict ?? null])).toEqual([
      ['agent-a', 'accepted', null],
      ['agent-b', 'conflict', c.id],
    ])

    const resolved = await api<ConflictRecord>('alice', 'POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { pick: 'agent-b' })
    expect(resolved.status).toBe(200)
    const afterResolve = TEXT.replace('Revenue grew 40% last year.', 'Revenue rose sharply last year.')
    await waitFor(() => report(bob) === afterResolve && report(a) === afterResolve, `the resolution to reach everyone: "${report(bob)}"`)
    await (await t.server.core.room('w1/shared')).drain()
    expect(await conflicts('open')).toEqual([])
  })

  it('partly overlapping proposals: each party’s value is its version of the whole stretch', async () => {
    const { a, b, bob, report } = await setup()
    const pa = a.propose('report', { quote: 'grew 40% last' }, 'rose 38% last', 'audited figure')
    const pb = b.propose('report', { quote: 'last year. Most' }, 'in 2024. Most', 'name the year')
    await Promise.all([a.flushed(), b.flushed()])
    expect((await accept('alice', 'agent-a', pa.id)).status).toBe(200)
    const second = await accept('alice', 'agent-b', pb.id)
    expect(second.status).toBe(409)
    const [c] = await conflicts('open')
    expect(c.location.kind === 'text' && c.location.text).toBe('grew 40% last year. Most')
    expect(c.parties).toEqual([
      { principal: 'agent-a', value: 'rose 38% last year. Most' },
      { principal: 'agent-b', value: 'grew 40% in 2024. Most' },
    ])
    await api('alice', 'POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { value: 'rose 38% in 2024. Most' })
    const expected = 'Revenue rose 38% in 2024. Most customers renewed. The team doubled in size.'
    await waitFor(() => report(bob) === expected, `the merged wording to reach everyone: "${report(bob)}"`)
  })

  it('a proposal whose words a person edited since is stale, not applied and not a conflict', async () => {
    const { a, b, bob, report } = await setup()
    const p = a.propose('report', { quote: 'Most customers renewed.' }, 'Nine in ten customers renewed.', 'be precise')
    await a.flushed()
    const t = bob.doc.getMap('docs').get('report') as Y.Text
    t.insert(TEXT.indexOf('customers'), 'of our ')
    const edited = report(bob)
    await waitFor(() => report(a) === edited, 'the edit to reach the server and agent-a')
    const res = await accept('alice', 'agent-a', p.id)
    expect(res.status).toBe(409)
    expect(res.json.error.code).toBe('stale')
    expect(res.json.error.message).toContain('Most of our customers renewed.')
    expect(await conflicts('all')).toEqual([])
    expect(report(bob)).toBe(edited)
    // Through the SDK the same answer is a result, not an exception (agent-a is an editor).
    expect(await a.accept('agent-a', p.id)).toMatchObject({ status: 'stale' })
    // agent-b may not read agent-a's private namespace: a refusal is an exception.
    await expect(b.accept('agent-a', p.id)).rejects.toMatchObject({ status: 404 })
  })

  it('reject records the decision; permissions for accept and reject', async () => {
    const { a, report } = await setup()
    const p = a.propose('report', { quote: 'The team doubled' }, 'The team grew', 'tone')
    await a.flushed()
    expect((await accept('rita', 'agent-a', p.id)).status).toBe(403) // reviewers do not edit shared text
    expect((await accept('bob', 'agent-a', p.id)).status).toBe(404) // private namespace: not readable by bob
    expect((await api('vic', 'POST', `/api/workspaces/w1/proposals/agent-a/${p.id}/reject`)).status).toBe(404)
    const rejected = await api<{ decision: { status: string; by: string } }>('rita', 'POST', `/api/workspaces/w1/proposals/agent-a/${p.id}/reject`)
    expect(rejected.status).toBe(200)
    expect(rejected.json.decision).toMatchObject({ status: 'rejected', by: 'rita' })
    const late = await accept('alice', 'agent-a', p.id)
    expect(late.status).toBe(409)
    expect(late.json.error.code).toBe('already_decided')
    expect(report(a)).toBe(TEXT)
    // The proposer's namespace is untouched: the decision lives in the review room.
    expect(a.proposals('report')[0].status).toBe('open')
    const view = await api<{ status: string; decision: { by: string } }>('alice', 'GET', `/api/workspaces/w1/proposals/agent-a/${p.id}`)
    expect(view.json).toMatchObject({ status: 'rejected', decision: { by: 'rita' } })
  })

  it('an agent accepts through the SDK; a second overlapping accept reports the conflict id', async () => {
    await t.start()
    const a = await t.agent('agent-a', { workspace: 'team' })
    const b = await t.agent('agent-b', { workspace: 'team' })
    a.createDocument('report', TEXT)
    await a.flushed()
    await waitFor(() => b.documents().includes('report'), 'agent-b to see the report')
    const pa = a.propose('report', { quote: 'The team doubled in size.' }, 'The team grew from 5 to 10.', 'numbers')
    const pb = b.propose('report', { quote: 'doubled in size' }, 'doubled', 'shorter')
    await Promise.all([a.flushed(), b.flushed()])
    const ok = await b.accept('agent-a', pa.id)
    expect(ok).toMatchObject({ status: 'accepted', decision: { status: 'accepted', by: 'agent-b' } })
    const clash = await a.accept('agent-b', pb.id)
    expect(clash.status).toBe('conflict')
    expect(clash.status === 'conflict' && clash.conflict).toMatch(/^c_/)
    expect((await a.conflicts()).map((c) => c.id)).toEqual([clash.status === 'conflict' ? clash.conflict : ''])
    expect((await a.proposal('agent-b', pb.id)).status).toBe('conflict')
  })
})
