// Typed per-request values set by middleware (`c.get('principal')`).

import type { Logger } from 'pino'
import type { Principal, Role, Workspace } from '../../shared/model.ts'
import type { HttpLimits } from './limits.ts'

export interface ApiEnv {
  Variables: {
    requestId: string
    log: Logger
    /** The server's HTTP limits (JSON depth, ...), set by requestContext. */
    httpLimits: HttpLimits
    /** Set by requireAuth on authenticated routes. */
    principal: Principal
    /** Set by member() on routes under /workspaces/:ws: the workspace the route names. */
    workspace: Workspace
    /** Set by member(): the caller's role there (null for an administrator who is not a member). */
    role: Role | null
  }
}
