// The MCP server for one session: every tool group and resource, acting as one Polyphony
// agent. Used over stdio (`polyphony mcp`) and over Streamable HTTP (`/mcp` on the server),
// so both offer the same tools with the same behaviour.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Agent } from '../sdk/Agent.ts'
import type { ToolContext } from './context.ts'
import { registerReadTools } from './tools/read.ts'
import { registerEditTools } from './tools/edit.ts'
import { registerNamespaceTools } from './tools/namespace.ts'
import { registerReviewTools } from './tools/review.ts'
import { registerTaskTools } from './tools/tasks.ts'
import { registerChangeTools } from './tools/changes.ts'
import { registerResources } from './resources.ts'
import { ReadableNamespaces } from './readableNamespaces.ts'

export const MCP_SERVER_NAME = 'polyphony'

const INSTRUCTIONS = `You are attached to a Polyphony workspace as an agent: shared documents that people and other agents edit at the same time.
Start with workspace_overview. Read a document with read_document, then edit by quoting the exact words (replace_text, insert_text); if a quote is ambiguous the error lists candidates — repeat with prefix/suffix.
Your own reading goes into your namespace (annotate, add_note, propose_edit) and is never merged with others'. Claim tasks before working on them (claim_task … complete_task). Use wait_for_changes to wait for others.`

export interface McpServerOptions {
  /** The server's base URL and the token the agent connected with (for further rooms). */
  url: string
  token: string
  /** Presence status prefix (default "mcp"). */
  label?: string
}

export function createMcpServer(agent: Agent, opts: McpServerOptions): McpServer {
  const server = new McpServer({ name: MCP_SERVER_NAME, version: '0.1.0' }, { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: {} } })
  const others = new ReadableNamespaces(agent, { wsUrl: `${opts.url.replace(/\/+$/, '').replace(/^http/, 'ws')}/sync`, token: opts.token })
  const cleanups: Array<() => void> = [() => others.close()]
  const ctx: ToolContext = { agent, label: opts.label ?? 'mcp', others, onClose: (fn) => cleanups.push(fn) }
  server.server.onclose = () => cleanups.splice(0).forEach((fn) => fn())
  registerReadTools(server, ctx)
  registerEditTools(server, ctx)
  registerNamespaceTools(server, ctx)
  registerReviewTools(server, ctx)
  registerTaskTools(server, ctx)
  registerChangeTools(server, ctx)
  registerResources(server, agent, others, ctx.onClose)
  return server
}
