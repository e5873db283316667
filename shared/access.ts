// Access policy: one pure function. The server calls it before a socket receives any
// document byte and again for every write; the HTTP API calls it for room-backed reads.
//
// shared room:     owners and editors write; every member reads.
// review room:     every member reads; only the server writes it, through the review API
//                  (keep, reply, promote, accept), so decisions cannot be forged over a socket.
// ns/<p>:          only p writes (any role, it is p's own reading);
//                  p, owners and reviewers read; other members read when the workspace's
//                  visibility is 'team', or 'blind-until-submitted' and p has submitted.
// Administrators manage the server but get no implicit room access: membership decides.

import type { Role, Visibility } from './model.ts'
import type { RoomRef } from './rooms.ts'

export type Action = 'read' | 'write'

export interface AccessRequest {
  principal: string
  /** The principal's role in the room's workspace, or null when not a member (or unknown workspace). */
  role: Role | null
  visibility: Visibility
  room: RoomRef
  /** For namespace rooms: whether the namespace owner has marked their review submitted. */
  namespaceSubmitted?: boolean
}

export type Decision = { allow: true } | { allow: false; reason: string }

const ALLOW: Decision = { allow: true }
const deny = (reason: string): Decision => ({ allow: false, reason })

export function decideAccess(req: AccessRequest, action: Action): Decision {
  const { role, room } = req
  if (role === null) return deny(`${req.principal} is not a member of workspace ${room.workspace}`)
  switch (room.kind) {
    case 'shared':
      if (action === 'read') return ALLOW
      return role === 'owner' || role === 'editor' ? ALLOW : deny(`role ${role} may not edit shared documents`)
    case 'review':
      if (action === 'read') return ALLOW
      return deny('the review room is written by the server: use the review API (keep, reply, promote, accept)')
    case 'namespace':
      return namespaceAccess(req, action)
  }
}

function namespaceAccess(req: AccessRequest, action: Action): Decision {
  const { principal, role, room } = req
  if (room.kind !== 'namespace') throw new Error('namespaceAccess needs a namespace room')
  const own = room.owner === principal
  if (action === 'write') return own ? ALLOW : deny(`only ${room.owner} may write its namespace`)
  if (own || role === 'owner' || role === 'reviewer') return ALLOW
  if (req.visibility === 'team') return ALLOW
  if (req.visibility === 'blind-until-submitted') {
    return req.namespaceSubmitted ? ALLOW : deny(`namespace ${room.owner} is hidden until its owner submits`)
  }
  return deny(`namespace ${room.owner} is private to its owner, owners and reviewers`)
}

/** Roles that may manage membership of a workspace (besides server administrators). */
export function mayManageMembers(role: Role | null): boolean {
  return role === 'owner'
}
