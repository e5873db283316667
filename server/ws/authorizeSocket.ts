// Decides, before any document byte flows, whether a socket may open a room and with
// which rights. Pure apart from the registry look-ups it is given.

import { accessRequest, decideAccess, type AccessFacts } from '../../shared/access.ts'
import { parseRoom, ROOM_FORMS } from '../../shared/rooms.ts'
import { CLOSE } from '../../shared/wire/index.ts'
import type { Principal } from '../../shared/model.ts'

export interface AccessLookup extends AccessFacts {
  authenticate(token: string): Principal | null
  /** The member's colour in the workspace, vouched in presence like its name. */
  colorOf?(workspace: string, principal: string): string | null
}

export type SocketDecision = { ok: true; principal: Principal; canWrite: boolean; color?: string } | { ok: false; code: number; reason: string }

export function authorizeSocket(lookup: AccessLookup, token: string | null, roomName: string): SocketDecision {
  if (!token) return { ok: false, code: CLOSE.unauthenticated, reason: 'missing token: add ?token=<your token>' }
  const principal = lookup.authenticate(token)
  if (!principal) return { ok: false, code: CLOSE.unauthenticated, reason: 'unknown or revoked token' }
  return decideSocket(lookup, principal, roomName)
}

/** The rights of an authenticated principal on `roomName` (also used for sockets another instance relays). */
export function decideSocket(lookup: AccessLookup, principal: Principal, roomName: string): SocketDecision {
  const room = parseRoom(roomName)
  if (!room) return { ok: false, code: CLOSE.notFound, reason: `no such room "${roomName.slice(0, 20)}": use ${ROOM_FORMS}` }
  const request = accessRequest(lookup, principal.id, room)
  if (!request) return { ok: false, code: CLOSE.forbidden, reason: `no access to workspace ${room.workspace}` }
  const read = decideAccess(request, 'read')
  if (!read.allow) return { ok: false, code: CLOSE.forbidden, reason: read.reason }
  const color = lookup.colorOf?.(room.workspace, principal.id) ?? undefined
  return { ok: true, principal, canWrite: decideAccess(request, 'write').allow, ...(color ? { color } : {}) }
}
