// Workspaces, their members and namespace submission.

import { Hono, type MiddlewareHandler } from 'hono'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody } from '../validate.ts'
import { CreateWorkspaceBody, MemberRoleBody, SubmittedBody } from '../../../shared/api/schemas.ts'
import type { MemberRemoved, MemberRoleSet, SubmittedSet, WorkspaceDetail } from '../../../shared/api/types.ts'
import { requireAdmin } from '../middleware.ts'
import { forbidden, notFound } from '../../errors.ts'
import { mayManageMembers } from '../../../shared/access.ts'
import { readableNamespaces } from '../../review/readableNamespaces.ts'
import { member } from '../member.ts'

export function workspaceRoutes({ registry, effects }: Pick<ApiDeps, 'registry' | 'effects'>): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const inWorkspace = member(registry)
  /** Owners and administrators manage members (after member() found the workspace). */
  const manager = requireManager()

  app.post('/', requireAdmin(), async (c) => {
    const input = await jsonBody(c, CreateWorkspaceBody)
    const workspace = await registry.createWorkspace(input)
    return c.json(workspace, 201)
  })

  app.get('/:ws', inWorkspace, (c) => {
    const { principal, workspace, role } = c.var
    return c.json({
      ...workspace,
      role,
      members: registry.members(workspace.id),
      // Namespaces this caller may open now (the same rule sockets obey).
      readableNamespaces: readableNamespaces(registry, workspace.id, principal),
    } satisfies WorkspaceDetail)
  })

  app.put('/:ws/members/:principal', inWorkspace, manager, async (c) => {
    const { workspace } = c.var
    const { role } = await jsonBody(c, MemberRoleBody)
    const member = c.req.param('principal')
    if (!registry.getPrincipal(member)) throw notFound(`no principal ${member}`)
    // Rights are decided when a socket opens: this member's sockets reopen under the new role (server/registryEffects.ts).
    await registry.setMember(workspace.id, member, role)
    return c.json({ workspace: workspace.id, principal: member, role } satisfies MemberRoleSet)
  })

  app.delete('/:ws/members/:principal', inWorkspace, manager, async (c) => {
    const { workspace } = c.var
    const member = c.req.param('principal')
    if (!(await registry.removeMember(workspace.id, member))) throw notFound(`${member} is not a member of ${workspace.id}`)
    const { sockets: closed, streams: closedStreams } = effects.take({ kind: 'member', workspace: workspace.id, principal: member, role: null })
    return c.json({ workspace: workspace.id, principal: member, removed: true, closedSockets: closed, closedStreams } satisfies MemberRemoved)
  })

  app.put('/:ws/namespaces/:principal/submitted', inWorkspace, async (c) => {
    const { principal, workspace } = c.var
    const owner = c.req.param('principal')
    if (owner !== principal.id) throw forbidden(`only the namespace owner may submit its review: PUT .../namespaces/${principal.id}/submitted for yours`)
    const { submitted } = await jsonBody(c, SubmittedBody)
    await registry.setSubmitted(workspace.id, owner, submitted)
    // Withdrawn: readers who could see it only because it was submitted lose it now (server/registryEffects.ts).
    const closed = effects.take({ kind: 'submitted', workspace: workspace.id, principal: owner, submitted }).sockets
    return c.json({ workspace: workspace.id, principal: owner, submitted, closedSockets: closed } satisfies SubmittedSet)
  })

  return app
}

function requireManager(): MiddlewareHandler<ApiEnv> {
  return async function requireManager(c, next) {
    if (!c.var.principal.admin && !mayManageMembers(c.var.role)) throw forbidden('only workspace owners and administrators manage members: ask an owner')
    await next()
  }
}
