// [reach] A write tool never hangs on an unreachable server: durable() answers false within its
// bound, the write stays in the session's replica and becomes durable once the server is back.
import { expect, it } from 'vitest'
import { useHarness } from './helpers/harness.ts'
import { durable } from '../agents/mcp/context.ts'

const t = useHarness()

it('durable() is bounded while the server is down and true after it returns', async () => {
  let server = await t.start()
  const agent = await t.agent('agent-a')
  agent.createDocument('d', 'Some words to read.')
  expect(await durable(agent, 5000)).toBe(true)
  await server.stop()
  const { id } = agent.annotate('d', { quote: 'words to read' }, { comment: 'offline note' })
  const started = Date.now()
  expect(await durable(agent, 300)).toBe(false)
  expect(Date.now() - started).toBeLessThan(2000)
  server = await server.restart()
  expect(await durable(agent, 10_000)).toBe(true)
  expect((await server.core.room('w1/ns/agent-a')).doc.getMap('annotations').has(id)).toBe(true)
})
