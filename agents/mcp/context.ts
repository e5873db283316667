// What every MCP tool shares: the agent it acts as, how a tool registers (zod input, a short
// text plus structured content), and one mapping from failures to messages that say how to fix
// the call. A refused call is a tool result with isError (the model reads it), never a crash.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'
import type { ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js'
import type { Agent, AgentState } from '../sdk/Agent.ts'
import { ApiRequestError } from '../../shared/api/index.ts'
import type { ReadableNamespaces } from './readableNamespaces.ts'

export interface ToolContext {
  agent: Agent
  /** Prefix of the presence status people see, e.g. "mcp: editing announcement". */
  label: string
  /** Live replicas of the other namespaces this session may read (opened on demand). */
  others: ReadableNamespaces
  /** Registers cleanup for when the MCP session ends. */
  onClose(fn: () => void): void
}

/** A refusal the caller can act on: the message says how to fix the call; `data` carries candidates etc. */
export class ToolRefusal extends Error {
  constructor(
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message)
  }
}

export function ok(text: string, data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: data }
}

interface ToolSpec<S extends ZodRawShapeCompat> {
  description: string
  input: S
  /** Presence while the tool runs (state and what it is doing); tools without it leave presence alone. */
  status?: (args: ShapeOutput<S>) => { state: AgentState; detail: string; doc?: string }
  readOnly?: boolean
}

/** Registers a tool whose failures become isError results with a message saying how to fix the call. */
export function defineTool<S extends ZodRawShapeCompat>(
  server: McpServer,
  ctx: ToolContext,
  name: string,
  spec: ToolSpec<S>,
  run: (args: ShapeOutput<S>, signal: AbortSignal) => Promise<CallToolResult> | CallToolResult,
): void {
  const annotations: ToolAnnotations = { readOnlyHint: spec.readOnly ?? false, openWorldHint: false }
  const handler = async (args: ShapeOutput<S>, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
    try {
      assertUsable(ctx.agent)
      const status = spec.status?.(args)
      const doc = status?.doc === undefined ? undefined : (ctx.agent.documentIdIfAny(status.doc) ?? status.doc)
      if (status) ctx.agent.setStatus(status.state, `${ctx.label}: ${status.detail}`, doc)
      try {
        return await run(args, extra.signal)
      } finally {
        // People see what it did last until the next call.
        if (status) ctx.agent.setStatus('idle', `${ctx.label}: done ${status.detail}`)
      }
    } catch (err) {
      return refusal(ctx.agent, err)
    }
  }
  // ToolCallback<S> is a conditional type TypeScript cannot resolve for a generic S; the handler is
  // exactly its raw-shape branch, (args: ShapeOutput<S>, extra) => CallToolResult.
  server.registerTool(name, { description: spec.description, inputSchema: spec.input, annotations }, handler as never)
}

/** Throws when the session can no longer act (token revoked, access removed). */
export function assertUsable(agent: Agent): void {
  const sync = agent.sharedSync.state === 'denied' ? agent.sharedSync : agent.namespaceSync.state === 'denied' ? agent.namespaceSync : null
  if (!sync) return
  const reason = sync.deniedReason ?? 'access denied'
  if (/revoked/i.test(reason)) {
    throw new ToolRefusal(`the token of ${agent.principal.id} was revoked (${reason}); ask an administrator for a new token and restart the MCP server with it`)
  }
  throw new ToolRefusal(
    `the server closed this session's access to workspace ${agent.workspace} (${reason}); start a new session (restart the MCP server, or initialize again over HTTP) to continue with your current rights, or ask an owner to restore your membership`,
  )
}

function refusal(agent: Agent, err: unknown): CallToolResult {
  const { message, data } = describe(agent, err)
  return { isError: true, content: [{ type: 'text', text: message }], ...(data ? { structuredContent: { error: message, ...data } } : {}) }
}

function describe(agent: Agent, err: unknown): { message: string; data?: Record<string, unknown> } {
  if (err instanceof ToolRefusal) return { message: err.message, data: err.data }
  if (err instanceof ApiRequestError) {
    if (err.status === 401) {
      try {
        assertUsable(agent)
      } catch (denied) {
        return { message: (denied as Error).message }
      }
      return { message: `the server no longer accepts this token (revoked or replaced): ${err.message}. Restart the MCP server with a valid token.` }
    }
    return { message: `the server refused: ${err.message} (${err.code})`, data: { code: err.code, status: err.status, ...err.details } }
  }
  return { message: err instanceof Error ? err.message : String(err) }
}

/** A document's title for status lines (what people recognise), or the words the caller used. */
export function titleFor(agent: Agent, doc: string): string {
  const id = agent.documentIdIfAny(doc)
  return id === undefined ? doc : agent.title(id)
}

/** How long a write tool waits for the server's durable acknowledgement before answering anyway. */
export const DURABLE_WAIT_MS = 10_000

/**
 * Waits until the server has durably stored everything this session wrote; false when that did
 * not happen within `ms` (server unreachable): the write stays in this session's replica and is
 * sent when the connection returns, and the tool says so instead of hanging.
 */
export async function durable(agent: Agent, ms = DURABLE_WAIT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([agent.flushed().then(() => true as const), late])
  } finally {
    clearTimeout(timer)
  }
}

/** The sentence a write result ends with. */
export function durability(isDurable: boolean): string {
  return isDurable ? ' Durable on the server.' : ' Not yet confirmed by the server (unreachable): kept in this session and sent when it reconnects; call again later to check.'
}
