// Task tools: list, create, claim (the SDK renews the lease while this session holds it),
// release, complete. Fencing tokens stay inside the SDK; the caller names tasks by id only.

import * as z from 'zod'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { defineTool, durable, ok, ToolRefusal, type ToolContext } from '../context.ts'
import { taskView } from '../views.ts'
import { ApiRequestError } from '../../../shared/api/index.ts'

const taskId = z.string().min(1).max(100).describe('task id (from list_tasks)')

export function registerTaskTools(server: McpServer, ctx: ToolContext): void {
  const { agent } = ctx
  const working = (detail: string) => ({ state: 'writing' as const, detail })
  const mustHold = (id: string) => {
    if (agent.tasks.held().includes(id)) return
    throw new ToolRefusal(
      `this session holds no lease on task ${id}: claim_task first (a lease belongs to the session that claimed it; held now: ${agent.tasks.held().join(', ') || 'none'})`,
    )
  }

  defineTool(server, ctx, 'list_tasks', { description: 'Every task with status, owner and dependencies; `held` lists those you hold.', input: {}, readOnly: true }, async () => {
    const tasks = (await agent.tasks.list()).map(taskView)
    const lines = tasks.map((t) => `${t.id} [${t.status}${t.owner ? ` by ${t.owner}` : ''}] ${t.title}`)
    return ok(lines.join('\n') || 'no tasks', { tasks, held: agent.tasks.held() })
  })

  defineTool(
    server,
    ctx,
    'create_task',
    {
      description: 'Creates a task (owners and editors). The same id twice is one task.',
      input: {
        id: z
          .string()
          .min(1)
          .max(100)
          .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore'),
        title: z.string().min(1).max(200),
        description: z.string().max(4000).optional(),
        dependsOn: z.array(z.string().min(1).max(100)).max(50).optional(),
      },
      status: ({ title }) => working(`creating task ${title}`),
    },
    async (input) => {
      const { task, created } = await agent.tasks.client.create(input)
      return ok(`${created ? 'created' : 'already existed:'} task ${task.id}`, { task: taskView(task), created })
    },
  )

  defineTool(
    server,
    ctx,
    'claim_task',
    {
      description:
        'Claims a task. While this session lives its lease is renewed; finish with complete_task or release_task. Refused when another holds it or dependencies are unfinished.',
      input: { id: taskId, ttlSeconds: z.number().int().min(5).max(600).default(30).describe('lease length; renewed every third of it') },
      status: ({ id }) => working(`claiming task ${id}`),
    },
    async ({ id, ttlSeconds }) => {
      try {
        const claimed = await agent.tasks.claim(id, ttlSeconds * 1000)
        return ok(`you hold task ${id}; the lease is renewed while this session lives`, { id, held: true, fencingToken: claimed.fencingToken() })
      } catch (err) {
        if (!(err instanceof ApiRequestError) || err.status !== 409) throw err
        const owner = typeof err.details.owner === 'string' ? ` by ${err.details.owner}` : ''
        throw new ToolRefusal(`task ${id} not claimed (${err.code}${owner}): ${err.message}`, { code: err.code, ...err.details })
      }
    },
  )

  defineTool(
    server,
    ctx,
    'release_task',
    { description: 'Gives a task you hold back to the pool.', input: { id: taskId }, status: ({ id }) => working(`releasing task ${id}`) },
    async ({ id }) => {
      mustHold(id)
      const task = await agent.tasks.release(id)
      return ok(`released ${id}`, { task: taskView(task) })
    },
  )

  defineTool(
    server,
    ctx,
    'complete_task',
    {
      description: 'Completes a task you hold, with a result.',
      input: { id: taskId, result: z.string().max(20_000).optional() },
      status: ({ id }) => working(`completing task ${id}`),
    },
    async ({ id, result }) => {
      mustHold(id)
      // The work the result describes should be on the server before the task says done.
      await durable(agent)
      const task = await agent.tasks.complete(id, result)
      return ok(`completed ${id}`, { task: taskView(task) })
    },
  )
}
