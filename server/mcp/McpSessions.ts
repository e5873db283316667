// Streamable HTTP MCP sessions at `/mcp`. Each session (one per initialize) is an in-process
// Polyphony agent connected to this server over loopback with the caller's own token, wrapped
// in the same MCP server as `polyphony mcp` (agents/mcp/). The composition root makes that agent
// (app/mcpSessionAgent.ts), so server/ never imports agents/. One implementation of the tools, and
// the same access rules, presence, durable writes and leases, because every write goes through
// the same sockets and API as any other agent. Sessions are bounded per principal, expire when
// idle, and close when the token is revoked or access is removed (the agent's sockets are
// closed by the server, which ends the session).

import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Principal } from '../../shared/model.ts'
import { DomainError } from '../errors.ts'

/** What one session runs: an MCP server over an in-process agent attached with the caller's token. */
export interface McpSessionAgent {
  server: McpServer
  /** Calls `fn` when this server closed the agent's sockets (token revoked, access removed). */
  onDenied(fn: () => void): void
  /** Gives back what the agent holds (bounded) and closes its sockets. */
  end(): Promise<void>
}

/** Attaches a session's agent to this server at `url`; rejects when it cannot attach. */
export type McpSessionAgentFactory = (opts: { url: string; workspace: string; token: string }) => Promise<McpSessionAgent>

export interface McpSessionLimits {
  /** Open sessions per principal; an initialize beyond it is refused (429). */
  perPrincipal: number
  /** A session without requests for this long is closed. */
  idleMs: number
}

// A session holds 2 sockets, plus up to 8 while it waits for changes; the server allows a
// principal 32, and the same person's browser needs some.
export const DEFAULT_MCP_LIMITS: McpSessionLimits = { perPrincipal: 2, idleMs: 30 * 60_000 }

interface Session {
  id: string
  principal: string
  agent: McpSessionAgent
  transport: WebStandardStreamableHTTPServerTransport
  lastUsed: number
}

export class McpSessionError extends DomainError {
  constructor(kind: 'invalid' | 'forbidden' | 'not_found' | 'too_many_requests' | 'unavailable', code: string, message: string) {
    super(kind, code, message)
  }
}

export class McpSessions {
  readonly #sessions = new Map<string, Session>()
  readonly #opening = new Map<string, number>()
  readonly #limits: McpSessionLimits
  readonly #sweep: NodeJS.Timeout

  constructor(private readonly opts: { selfUrl: () => string; logger: Logger; limits?: Partial<McpSessionLimits>; agentFor?: McpSessionAgentFactory }) {
    this.#limits = { ...DEFAULT_MCP_LIMITS, ...opts.limits }
    this.#sweep = setInterval(() => this.#closeIdle(), Math.min(60_000, this.#limits.idleMs)).unref()
  }

  get size(): number {
    return this.#sessions.size
  }

  /** Opens a session for `principal` in `workspace` and lets its transport answer the initialize request. */
  async open(principal: Principal, token: string, workspace: string, request: Request, body: unknown): Promise<Response> {
    // Sessions still attaching count too, so parallel initializes cannot pass the cap together.
    const opening = this.#opening.get(principal.id) ?? 0
    const held = [...this.#sessions.values()].filter((s) => s.principal === principal.id).length + opening
    if (held >= this.#limits.perPrincipal) {
      throw new McpSessionError(
        'too_many_requests',
        'too_many_sessions',
        `${principal.id} has ${held} open MCP sessions (the limit); end one (HTTP DELETE /mcp with its mcp-session-id) or let it expire`,
      )
    }
    this.#opening.set(principal.id, opening + 1)
    try {
      return await this.#open(principal, token, workspace, request, body)
    } finally {
      const left = (this.#opening.get(principal.id) ?? 1) - 1
      if (left > 0) this.#opening.set(principal.id, left)
      else this.#opening.delete(principal.id)
    }
  }

  async #open(principal: Principal, token: string, workspace: string, request: Request, body: unknown): Promise<Response> {
    const { agentFor } = this.opts
    if (!agentFor)
      throw new McpSessionError('unavailable', 'unavailable', 'MCP over HTTP is not enabled on this server: start it with `polyphony serve`, which provides the session agents')
    let agent: McpSessionAgent
    try {
      agent = await agentFor({ url: this.opts.selfUrl(), workspace, token })
    } catch (err) {
      throw new McpSessionError('unavailable', 'unavailable', `could not attach the session's agent to ${workspace}: ${(err as Error).message}`)
    }
    const { server } = agent
    let session: Session | undefined
    // The MCP SDK is loaded by the first session, not at start (resident memory of servers without MCP use).
    const { WebStandardStreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js')
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        session = { id, principal: principal.id, agent, transport, lastUsed: Date.now() }
        this.#sessions.set(id, session)
        this.opts.logger.info({ mcpSession: id, principal: principal.id, workspace }, 'mcp session opened')
      },
    })
    transport.onclose = () => void (session && this.#forget(session))
    // The server closed the agent's sockets (token revoked, membership removed): the session ends.
    agent.onDenied(() => void this.#end(session))
    await server.connect(transport)
    const response = await transport.handleRequest(request, { parsedBody: body })
    if (!session) {
      // The initialize was refused (malformed): nothing to keep.
      await server.close()
      await agent.end()
    }
    return response
  }

  /** Passes a request to its session; only the principal that opened it may use it. */
  async handle(sessionId: string, principal: Principal, request: Request, body: unknown): Promise<Response> {
    const session = this.#sessions.get(sessionId)
    if (!session) throw new McpSessionError('not_found', 'no_session', 'no such MCP session (expired, closed or revoked): initialize a new one')
    if (session.principal !== principal.id) throw new McpSessionError('forbidden', 'forbidden', 'this MCP session belongs to another principal')
    session.lastUsed = Date.now()
    return session.transport.handleRequest(request, { parsedBody: body })
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#sweep)
    await Promise.all([...this.#sessions.values()].map((s) => this.#end(s)))
  }

  #closeIdle(): void {
    const cutoff = Date.now() - this.#limits.idleMs
    for (const s of this.#sessions.values()) if (s.lastUsed < cutoff) void this.#end(s)
  }

  async #end(session: Session | undefined): Promise<void> {
    if (!session || !this.#sessions.has(session.id)) return
    await Promise.all([this.#forget(session), session.agent.server.close().catch(() => undefined)])
  }

  async #forget(session: Session): Promise<void> {
    if (!this.#sessions.delete(session.id)) return
    this.opts.logger.info({ mcpSession: session.id, principal: session.principal }, 'mcp session closed')
    await session.agent.end()
  }
}
