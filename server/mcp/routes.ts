// `/mcp`: the Streamable HTTP endpoint. Bearer token on every request through the API's own
// auth middleware (same failed-auth limiter; a revoked token gets 401 at once) and body limit;
// the workspace comes from `?workspace=` or is the caller's only workspace.

import { Hono } from 'hono'
import type { ApiEnv } from '../http/env.ts'
import type { ApiDeps } from '../http/deps.ts'
import type { AuthFailures } from '../http/AuthFailures.ts'
import { limitBody, requireAuth } from '../http/middleware.ts'
import { badRequest, forbidden } from '../errors.ts'
import type { McpSessions } from './McpSessions.ts'
import { readJson } from '../http/validate.ts'

export function mcpRoutes(deps: Pick<ApiDeps, 'registry' | 'httpLimits'> & { authFailures: AuthFailures; sessions: McpSessions }): Hono<ApiEnv> {
  const { registry, sessions } = deps
  const app = new Hono<ApiEnv>()
  app.use(requireAuth(deps))
  app.use(limitBody(deps))
  app.all('/', async (c) => {
    const principal = c.get('principal')
    // requireAuth accepted a bearer token; the session's agent connects with the same one.
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
    // Parsed once here, within the API's depth limit; the transport takes it as parsed.
    const body = c.req.method === 'POST' ? await readJson(c) : undefined
    const sessionId = c.req.header('mcp-session-id')
    // Session refusals (McpSessionError) are DomainErrors: onApiError answers them.
    if (sessionId) return sessions.handle(sessionId, principal, c.req.raw, body)
    // The MCP SDK is loaded by the first session, not at start (see McpSessions.open).
    const { isInitializeRequest } = await import('@modelcontextprotocol/sdk/types.js')
    if (c.req.method !== 'POST' || !isInitializeRequest(body)) throw badRequest('no mcp-session-id: start with an initialize request (POST)')
    const workspaces = registry.listWorkspacesFor(principal.id)
    const workspace = c.req.query('workspace') ?? (workspaces.length === 1 ? workspaces[0].id : undefined)
    if (!workspace) throw badRequest(`name the workspace: /mcp?workspace=ID (yours: ${workspaces.map((w) => w.id).join(', ') || 'none'})`)
    if (!workspaces.some((w) => w.id === workspace)) throw forbidden(`${principal.id} is not a member of workspace ${workspace}`)
    return sessions.open(principal, token, workspace, c.req.raw, body)
  })
  return app
}
