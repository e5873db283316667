// The agent behind each Streamable HTTP MCP session at /mcp: the SDK's agent attached to this
// server with the caller's own token, wrapped in the same MCP server as `polyphony mcp`. It
// lives in the composition root so server/ (which runs the sessions) never imports agents/.

import { connectAgent } from '../agents/sdk/connectAgent.ts'
import { createMcpServer } from '../agents/mcp/server.ts'
import { endSession } from '../agents/mcp/endSession.ts'
import type { McpSessionAgentFactory } from '../server/mcp/McpSessions.ts'

export const mcpSessionAgent: McpSessionAgentFactory = async ({ url, workspace, token }) => {
  const agent = await connectAgent({ url, workspace, token, role: 'mcp' })
  return {
    server: createMcpServer(agent, { url, token }),
    onDenied: (fn) => {
      const onState = (state: string) => state === 'denied' && fn()
      agent.sharedSync.on('state', onState)
      agent.namespaceSync.on('state', onState)
    },
    end: () => endSession(agent),
  }
}
