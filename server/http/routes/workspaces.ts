// Workspaces, their members and namespace submission.

import { Hono, type MiddlewareHandler } from 'hono'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody } from '../validate.ts'
import { CreateWorkspaceBody, MemberRoleBody, SubmittedBody } from '../../../shared/api/schemas.ts'
import type { MemberRemoved, MemberRoleSet, SubmittedSet, WorkspaceDetail } from '../../../shared/api/types.ts'
import { requireAdmin } from '../middleware.ts'
import { forbidden, notFound } from '../../errors.ts'
import { mayManageMembers, mayRead } from '../../../shared/access.ts'
import { namespaceOwnerOf, parseRoom } from '../../../shared/rooms.ts'
import { CLOSE } from '../../../shared/wire/index.ts'
import { readableNamespaces } from '../../review/readableNamespaces.ts'
import { member } from '../member.ts'

export function workspaceRoutes({ registry, core, streams }: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const inWorkspace = member(registry)
  /** Owners and administrators manage members (after member() found the workspace). */
  const manager = requireManager()

  app.post('/', requireAdmin(), async (c) => {
    const input = await jsonBody(c, CreateWorkspaceBody)
    const workspace = registry.createWorkspace(input)
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
    registry.setMember(workspace.id, member, role)
    // Rights are decided when a socket opens: reopen this member's sockets under the new role.
    core.closeWhere((ctx) => ctx.principal === member && ctx.room.startsWith(`${workspace.id}/`), CLOSE.forbidden, 'your role changed; reconnect')
    return c.json({ workspace: workspace.id, principal: member, role } satisfies MemberRoleSet)
  })

  app.delete('/:ws/members/:principal', inWorkspace, manager, (c) => {
    const { workspace } = c.var
    const member = c.req.param('principal')
    if (!registry.removeMember(workspace.id, member)) throw notFound(`${member} is not a member of ${workspace.id}`)
    const closed = core.closeWhere((ctx) => ctx.principal === member && ctx.room.startsWith(`${workspace.id}/`), CLOSE.forbidden, 'removed from workspace')
    const closedStreams = streams.closeWhere((s) => s.principal === member && s.workspace === workspace.id, 'removed from workspace')
    return c.json({ workspace: workspace.id, principal: member, removed: true, closedSockets: closed, closedStreams } satisfies MemberRemoved)
  })

  app.put('/:ws/namespaces/:principal/submitted', inWorkspace, async (c) => {
    const { principal, workspace } = c.var
    const owner = c.req.param('principal')
    if (owner !== principal.id) throw forbidden(`only the namespace owner may submit its review: PUT .../namespaces/${principal.id}/submitted for yours`)
    const { submitted } = await jsonBody(c, SubmittedBody)
    registry.setSubmitted(workspace.id, owner, submitted)
    // Withdrawn: readers who could see it (or its review room) only because it was submitted lose it now.
    const closed = submitted
      ? 0
      : core.closeWhere(
          (ctx) => {
            const room = parseRoom(ctx.room)
            return room !== null && room.workspace === workspace.id && namespaceOwnerOf(room) === owner && !mayRead(registry, ctx.principal, room)
          },
          CLOSE.forbidden,
          `namespace ${owner} is hidden again until its owner submits`,
        )
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
