// What the demo shows happening on first run, besides the reviewers' readings: a task on the
// board for the demo worker, and one real operational conflict for the arbiter. The conflict is
// made the way people make them: Alice and Bob each rewrite "shown to a person" while offline
// (two SDK clients over the network, not a forged record), so the detector records it.
// Each is seeded once per data directory.

import type { RunningServer } from '../server/server.ts'
import { DEMO_WORKSPACE, type DemoTokens } from './demo.ts'
import { connectAgent } from '../agents/index.ts'

export const DEMO_TASK = { id: 'summary', title: 'Summarise the announcement', description: 'Write a two-line summary of the launch announcement for the newsletter.' }
// In the last paragraph, away from the claims the reviewers read differently (their readings stay as they are).
const CONTESTED = 'shown to a person'
const REWRITES: Record<'alice' | 'bob', string> = { alice: 'shown to the people involved', bob: 'sent to an editor' }

export async function seedDemoActivity(server: RunningServer, tokens: DemoTokens): Promise<void> {
  await seedTask(server, tokens)
  await seedConflict(server, tokens)
}

async function seedTask(server: RunningServer, tokens: DemoTokens): Promise<void> {
  if (await server.coord.store.get(DEMO_WORKSPACE, DEMO_TASK.id)) return
  const res = await fetch(`${server.url}/api/workspaces/${DEMO_WORKSPACE}/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_TASK),
  })
  if (!res.ok) server.logger.warn({ status: res.status }, 'demo task not created')
}

async function seedConflict(server: RunningServer, tokens: DemoTokens): Promise<void> {
  if ((await server.conflicts.list(DEMO_WORKSPACE, { status: 'all' })).length > 0) return
  const people = await Promise.all(
    (['alice', 'bob'] as const).map((who) => connectAgent({ url: server.url, workspace: DEMO_WORKSPACE, token: tokens[who], role: 'demo' }).then((agent) => ({ who, agent }))),
  )
  try {
    if (!people[0].agent.read('announcement').includes(CONTESTED)) return
    for (const { agent } of people) agent.sharedSync.provider.disconnect()
    for (const { who, agent } of people) agent.replace('announcement', { quote: CONTESTED }, REWRITES[who])
    for (const { agent } of people) {
      agent.sharedSync.provider.connect()
      await agent.flushed()
    }
    server.logger.info('demo: Alice and Bob rewrote the same words while offline (a conflict for the arbiter)')
  } finally {
    for (const { agent } of people) agent.close()
  }
}
