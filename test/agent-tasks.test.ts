// [agents]+[coord] The SDK claims tasks with automatic renewal; [review] through the SDK.

import { expect, it } from 'vitest'
import { useHarness } from './helpers/harness.ts'
import { waitFor } from './helpers/wait.ts'
import { ApiRequestError } from '../agents/index.ts'

const t = useHarness()
const attach = (id: string) => t.agent(id)

it('an agent keeps its lease alive while it works, others are refused, completion needs its token', async () => {
  await t.start()
  const a = await attach('agent-a')
  const b = await attach('agent-b')
  await a.tasks.client.create({ id: 't1', title: 'Check the claims' })
  // A TTL a loaded CI machine cannot miss by stalling (renewals come every ttl/3).
  const ttl = 1_500
  const claimed = await a.tasks.claim('t1', ttl)
  const first = (await a.tasks.client.get('t1')).leaseExpiresAt ?? 0
  // Renewals move the expiry forward past the first TTL: the lease outlives it.
  await waitFor(async () => ((await a.tasks.client.get('t1')).leaseExpiresAt ?? 0) > first + ttl, 'a renewal past the first ttl')
  await expect(b.tasks.claim('t1')).rejects.toBeInstanceOf(ApiRequestError)
  const done = await a.tasks.complete('t1', 'all claims sourced')
  expect(done.status).toBe('done')
  expect(done.owner).toBe('agent-a')
  expect(claimed.fencingToken()).toBe(1)
  // The task room (written only by the server) shows it to everyone.
  await waitFor(() => b.tasks.board().find((t) => t.id === 't1')?.status === 'done', 'done on the board')
  expect(b.tasks.board()).toEqual([expect.objectContaining({ id: 't1', status: 'done', owner: 'agent-a', fencingToken: 1 })])
})

it('conflicts() and divergences() read the review state through the SDK', async () => {
  await t.start()
  const a = await attach('agent-a')
  const b = await attach('agent-b')
  a.createDocument('draft', 'Studies show that agents are always faster.')
  await a.flushed()
  await waitFor(() => b.documents().includes('draft'), 'b sees the draft')
  a.annotate('draft', { quote: 'Studies show' }, { label: 'unsupported', comment: 'Which studies?' })
  b.annotate('draft', { quote: 'show that agents' }, { label: 'unsupported', comment: 'Source?' })
  await Promise.all([a.flushed(), b.flushed()])
  // w1 is private: an editor agent reads only its own namespace; the owner sees both.
  expect((await b.divergences('draft')).groups.map((g) => g.readings.map((r) => r.principal))).toEqual([['agent-b']])
  expect(await a.conflicts()).toEqual([])
})
