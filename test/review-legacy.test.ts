// [harden] Decisions recorded before review rooms were per namespace (one `W/review` room every
// member could read) move, at start, into the review room of the namespace they are about; what
// that room already holds wins; a second start moves nothing; `W/review` is no longer a room.

import { expect, it } from 'vitest'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { openRaw } from './helpers/rawSocket.ts'
import { httpJson } from './helpers/http.ts'
import { CLOSE } from '../shared/wire/index.ts'
import { readReviewState, replyId, type Divergences } from '../shared/review/index.ts'

const t = useHarness()

it('moves legacy decisions, replies and proposal decisions into W/review/<owner>, once, keeping newer entries', async () => {
  let server = await t.start()
  const a = await t.agent('agent-a')
  a.createDocument('report', 'Revenue grew 40% last year. Most customers renewed.')
  const annotation = a.annotate('report', { quote: 'grew 40%' }, { label: 'unsourced', comment: 'Source?' }).id
  const other = a.annotate('report', { quote: 'Most customers' }, { label: 'vague', comment: 'How many?' }).id
  const proposal = a.propose('report', { quote: 'Most customers renewed.' }, 'Nine in ten renewed.', 'precise').id
  await a.flushed()
  a.close()
  // What an older server wrote: everything in one room.
  const reply = { id: replyId(`agent-a/${annotation}`, 'rita', 'Ask finance.'), target: `agent-a/${annotation}`, author: 'rita', text: 'Ask finance.', at: 2 }
  await (
    await server.core.room('w1/review')
  ).writeAsServer('rita', 'legacy', (d) => {
    d.getMap('decisions').set(`agent-a/${annotation}`, { action: 'keep', by: 'rita', at: 1 })
    d.getMap('decisions').set(`agent-a/${other}`, { action: 'keep', by: 'rita', at: 1 })
    d.getMap('replies').set(reply.id, reply)
    d.getMap('proposals').set(`agent-a/${proposal}`, { status: 'rejected', by: 'rita', at: 3 })
  })
  // A newer decision already in the namespace's own room.
  await (
    await server.core.room('w1/review/agent-a')
  ).writeAsServer('alice', 'newer', (d) => {
    d.getMap('decisions').set(`agent-a/${other}`, { action: 'promote', by: 'alice', at: 5, note: `agent-a/${other}` })
  })

  server = await server.restart()
  const state = readReviewState((await server.core.room('w1/review/agent-a')).doc)
  expect(state.decisions.get(`agent-a/${annotation}`)).toEqual({ action: 'keep', by: 'rita', at: 1 })
  expect(state.decisions.get(`agent-a/${other}`)).toMatchObject({ action: 'promote', by: 'alice' })
  expect(state.replies.get(`agent-a/${annotation}`)).toEqual([reply])
  expect(state.proposals.get(`agent-a/${proposal}`)).toEqual({ status: 'rejected', by: 'rita', at: 3 })
  const d = await httpJson<Divergences>(`${server.url}/api/workspaces/w1/divergences?doc=report`, { token: token('alice') })
  const placed = d.json.groups.flatMap((g) => g.readings.flatMap((r) => r.annotations)).find((x) => x.id === annotation)
  expect(placed).toMatchObject({ decision: { action: 'keep', by: 'rita' }, replies: [reply] })

  // Moved once: a second start writes nothing more.
  const written = (await server.storage.history('w1/review/agent-a')).length
  server = await server.restart()
  await server.core.room('w1/review/agent-a')
  expect((await server.storage.history('w1/review/agent-a')).length).toBe(written)

  // The old room is no room any more, for anyone.
  const s = openRaw(server.wsUrl, 'w1/review', 'alice')
  expect((await s.whenClosed()).code).toBe(CLOSE.notFound)
})
