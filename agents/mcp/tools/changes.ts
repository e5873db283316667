// wait_for_changes: a bounded long-poll over documents, own annotations, conflicts and tasks.

import * as z from 'zod'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { defineTool, ok, type ToolContext } from '../context.ts'
import { ChangeCursors, isEmpty, waitForChanges } from '../changes.ts'

/** Below the MCP SDK client's default 60 s request timeout. */
export const MAX_WAIT_SECONDS = 50

export function registerChangeTools(server: McpServer, ctx: ToolContext): void {
  const cursors = new ChangeCursors()
  const { others } = ctx
  defineTool(
    server,
    ctx,
    'wait_for_changes',
    {
      description: `Waits until documents, annotations/proposals/notes you may read, open conflicts or tasks change since \`cursor\` (or the timeout passes) and says what changed. Call without a cursor first to get one; pass the returned cursor next time.`,
      input: {
        cursor: z.string().max(40).optional().describe('from the previous wait_for_changes'),
        timeoutSeconds: z.number().min(0).max(MAX_WAIT_SECONDS).default(25),
      },
      readOnly: true,
    },
    async ({ cursor, timeoutSeconds }, signal) => {
      const before = cursors.get(cursor)
      const { now, changes } = await waitForChanges(ctx.agent, others, before, timeoutSeconds * 1000, signal)
      const next = cursors.keep(now)
      const changed = before !== undefined && !isEmpty(changes)
      const unknown = cursor !== undefined && before === undefined
      const text =
        before === undefined
          ? `${unknown ? 'unknown or expired cursor; ' : ''}current state recorded: ${now.docs.size} documents, ${now.conflicts.size} open conflicts, ${now.tasks.size} tasks. Pass cursor ${next} to wait for changes.`
          : changed
            ? `changed: ${JSON.stringify(changes)}. Next cursor: ${next}`
            : `nothing changed in ${timeoutSeconds} s. Next cursor: ${next}`
      return ok(text, { cursor: next, changed, ...changes })
    },
  )
}
