// The workspace a route names (`:ws`) and the caller's role in it, resolved once per request by
// the member() middleware and read by handlers as c.var.workspace / c.var.role. The same rule
// (membership) keeps an open event stream alive, so it lives here, in one function; so does the
// room check of routes that serve one room's data (the socket's decision, shared/access.ts).

import type { MiddlewareHandler } from 'hono'
import type { ApiEnv } from './env.ts'
import type { Registry } from '../registry/index.ts'
import type { Principal, Role, Workspace } from '../../shared/model.ts'
import { accessRequest, decideAccess, type AccessFacts, type Action } from '../../shared/access.ts'
import type { RoomRef } from '../../shared/rooms.ts'
import { forbidden, notFound } from '../errors.ts'

export interface Membership {
  workspace: Workspace
  /** Null for a server administrator who is not a member: admins see every workspace, with no role in it. */
  role: Role | null
}

type MembershipFacts = Pick<Registry, 'getWorkspace' | 'roleOf' | 'refresh'>

/** The workspace and the caller's role in it; null when there is no such workspace or the caller is neither member nor admin. */
export function membershipOf(registry: MembershipFacts, id: string, principal: Principal): Membership | null {
  const workspace = registry.getWorkspace(id)
  const role = workspace ? registry.roleOf(id, principal.id) : null
  if (!workspace || (role === null && !principal.admin)) return null
  return { workspace, role }
}

/** Sets c.var.workspace and c.var.role from the `:ws` parameter; 404 (never 403: it does not say the workspace exists) otherwise. */
export function member(registry: MembershipFacts): MiddlewareHandler<ApiEnv> {
  return async function member(c, next) {
    const id = c.req.param('ws') ?? ''
    // A workspace or membership another instance created a moment ago: catch up once before refusing
    // (and look again even if this catch-up applied nothing: a concurrent one may have).
    let found = membershipOf(registry, id, c.get('principal'))
    if (!found) {
      await registry.refresh().catch((err: unknown) => c.get('log').warn({ err }, 'registry catch-up before answering 404 failed'))
      found = membershipOf(registry, id, c.get('principal'))
    }
    if (!found) throw notFound(`no workspace ${id} you are a member of: GET /api/me lists yours`)
    c.set('workspace', found.workspace)
    c.set('role', found.role)
    await next()
  }
}

/**
 * For routes that read or write one room's data: the decision a socket to that room gets, from
 * the access request shared/access.ts builds (accessRequest). 403 with the policy's reason.
 */
export function requireAccess(facts: AccessFacts, principal: Principal, room: RoomRef, action: Action): void {
  const request = accessRequest(facts, principal.id, room)
  if (!request) throw notFound(`no workspace ${room.workspace} you are a member of`)
  const decision = decideAccess(request, action)
  if (!decision.allow) throw forbidden(decision.reason)
}
