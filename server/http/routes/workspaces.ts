// Workspaces, their members and namespace submission.

import { Hono } from 'hono'
import { z } from 'zod'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody } from '../validate.ts'
import { NewWorkspaceSchema, RoleSchema } from '../../registry/index.ts'
import { requireAdmin } from '../middleware.ts'
import { forbidden, notFound } from '../../errors.ts'
import { mayManageMembers, mayRead } from '../../../shared/access.ts'
import { namespaceOwnerOf, parseRoom } from '../../../shared/rooms.ts'
import { CLOSE } from '../../../shared/wire/index.ts'
import type { Principal, Role, Workspace } from '../../../shared/model.ts'
import type { Registry } from '../../registry/index.ts'
import { readableNamespaces } from '../../review/readableNamespaces.ts'

/** The workspace and the caller's role in it; admins see every workspace. */
export function workspaceFor(registry: Registry, id: string, principal: Principal): { workspace: Workspace; role: Role | null } {
  const workspace = registry.getWorkspace(id)
  const role = workspace ? registry.roleOf(id, principal.id) : null
  if (!workspace || (role === null && !principal.admin)) throw notFound(`no workspace ${id} you are a member of`)
  return { workspace, role }
}

export function workspaceRoutes({ registry, core, streams }: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.post('/', requireAdmin(), async (c) => {
    const input = await jsonBody(c, NewWorkspaceSchema.omit({ owner: true }))
    const workspace = registry.createWorkspace(input)
    return c.json(workspace, 201)
  })

  app.get('/:ws', (c) => {
    const principal = c.get('principal')
    const { workspace, role } = workspaceFor(registry, c.req.param('ws'), principal)
    return c.json({
      ...workspace,
      role,
      members: registry.members(workspace.id),
      // Namespaces this caller may open now (the same rule sockets obey).
      readableNamespaces: readableNamespaces(registry, workspace.id, principal),
    })
  })

  app.put('/:ws/members/:principal', async (c) => {
    const { workspace } = managedWorkspace(c.req.param('ws'), c.get('principal'))
    const { role } = await jsonBody(c, z.object({ role: RoleSchema }))
    const member = c.req.param('principal')
    if (!registry.getPrincipal(member)) throw notFound(`no principal ${member}`)
    registry.setMember(workspace.id, member, role)
    // Rights are decided when a socket opens: reopen this member's sockets under the new role.
    core.closeWhere((ctx) => ctx.principal === member && ctx.room.startsWith(`${workspace.id}/`), CLOSE.forbidden, 'your role changed; reconnect')
    return c.json({ workspace: workspace.id, principal: member, role })
  })

  app.delete('/:ws/members/:principal', (c) => {
    const { workspace } = managedWorkspace(c.req.param('ws'), c.get('principal'))
    const member = c.req.param('principal')
    if (!registry.removeMember(workspace.id, member)) throw notFound(`${member} is not a member of ${workspace.id}`)
    const closed = core.closeWhere((ctx) => ctx.principal === member && ctx.room.startsWith(`${workspace.id}/`), CLOSE.forbidden, 'removed from workspace')
    const closedStreams = streams.closeWhere((s) => s.principal === member && s.workspace === workspace.id, 'removed from workspace')
    return c.json({ workspace: workspace.id, principal: member, removed: true, closedSockets: closed, closedStreams })
  })

  app.put('/:ws/namespaces/:principal/submitted', async (c) => {
    const principal = c.get('principal')
    const { workspace } = workspaceFor(registry, c.req.param('ws'), principal)
    const owner = c.req.param('principal')
    if (owner !== principal.id) throw forbidden('only the namespace owner may submit its review')
    const { submitted } = await jsonBody(c, z.object({ submitted: z.boolean() }))
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
    return c.json({ workspace: workspace.id, principal: owner, submitted, closedSockets: closed })
  })

  function managedWorkspace(id: string, principal: Principal) {
    const found = workspaceFor(registry, id, principal)
    if (!principal.admin && !mayManageMembers(found.role)) throw forbidden('only workspace owners and administrators manage members')
    return found
  }

  return app
}
