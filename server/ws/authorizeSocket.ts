// Decides, before any document byte flows, whether a socket may open a room and with
// which rights. Pure apart from the registry look-ups it is given.

import { decideAccess } from '../../shared/access.ts'
import { parseRoom } from '../../shared/rooms.ts'
import { CLOSE } from '../../shared/protocol.ts'
import type { Principal, Role, Visibility } from '../../shared/model.ts'

export interface AccessLookup {
  authenticate(token: string): Principal | null
  workspace(id: string): { visibility: Visibility } | null
  roleOf(workspace: string, principal: string): Role | null
  isSubmitted(workspace: string, principal: string): boolean
}

export type SocketDecision =
  | { ok: true; principal: Principal; canWrite: boolean }
  | { ok: false; code: number; reason: string }

export function authorizeSocket(lookup: AccessLookup, token: string | null, roomName: string): SocketDecision {
  if (!token) return { ok: false, code: CLOSE.unauthenticated, reason: 'missing token: add ?token=<your token>' }
  const principal = lookup.authenticate(token)
  if (!principal) return { ok: false, code: CLOSE.unauthenticated, reason: 'unknown or revoked token' }
  const room = parseRoom(roomName)
  if (!room) return { ok: false, code: CLOSE.notFound, reason: `no such room "${roomName.slice(0, 60)}": use <ws>/shared or <ws>/ns/<principal>` }
  const workspace = lookup.workspace(room.workspace)
  if (!workspace) return { ok: false, code: CLOSE.forbidden, reason: `no access to workspace ${room.workspace}` }
  const request = {
    principal: principal.id,
    role: lookup.roleOf(room.workspace, principal.id),
    visibility: workspace.visibility,
    room,
    namespaceSubmitted: room.kind === 'namespace' ? lookup.isSubmitted(room.workspace, room.owner) : false,
  }
  const read = decideAccess(request, 'read')
  if (!read.allow) return { ok: false, code: CLOSE.forbidden, reason: read.reason }
  return { ok: true, principal, canWrite: decideAccess(request, 'write').allow }
}
