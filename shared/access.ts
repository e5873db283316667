// Access policy: one pure function. The server calls it before a socket receives any
// document byte and again for every write; the HTTP API calls it for room-backed reads
// (readable namespaces, review decisions, team metrics).
//
// shared room:     owners and editors write; every member reads.
// tasks room:      every member reads; only the server writes it (the task board is a view of
//                  the server's task store, changed through the task API, so it cannot be forged;
//                  likewise the workspace vocabulary, changed by owners through its API).
// ns/<p>:          only p writes (any role, it is p's own reading);
//                  p, owners and reviewers read; other members read when the workspace's
//                  visibility is 'team', or 'blind-until-submitted' and p has submitted.
// review/<p>:      the decisions about p's annotations and proposals: read exactly when ns/<p>
//                  is readable (decisions and replies quote and identify p's reading); only the
//                  server writes it, through the review API (keep, reply, promote, accept, reject).
// Administrators manage the server but get no implicit room access: membership decides.

import type { Role, Visibility } from './model.ts'
import { namespaceOwnerOf, type RoomRef } from './rooms.ts'

export type Action = 'read' | 'write'

export interface AccessRequest {
  principal: string
  /** The principal's role in the room's workspace, or null when not a member (or unknown workspace). */
  role: Role | null
  visibility: Visibility
  room: RoomRef
  /** For namespace and review rooms: whether the namespace owner has marked their review submitted. */
  namespaceSubmitted?: boolean
}

export type Decision = { allow: true } | { allow: false; reason: string }

const ALLOW: Decision = { allow: true }
const deny = (reason: string): Decision => ({ allow: false, reason })

/** Who edits shared documents. Every right that writes into one (resolve, promote, accept, tasks) uses this. */
export function mayEditShared(role: Role | null): boolean {
  return role === 'owner' || role === 'editor'
}

export function decideAccess(req: AccessRequest, action: Action): Decision {
  const { role, room } = req
  if (role === null) return deny(`${req.principal} is not a member of workspace ${room.workspace}`)
  switch (room.kind) {
    case 'shared':
      if (action === 'read') return ALLOW
      return mayEditShared(role) ? ALLOW : deny(`role ${role} may not edit shared documents`)
    case 'tasks':
      if (action === 'read') return ALLOW
      return deny('the task room is written by the server: use the task API (create, claim, renew, release, complete)')
    case 'namespace':
      if (action === 'write') return room.owner === req.principal ? ALLOW : deny(`only ${room.owner} may write its namespace`)
      return namespaceRead(req, room.owner)
    case 'review':
      if (action === 'write') return deny('review rooms are written by the server: use the review API (keep, reply, promote, accept, reject)')
      return namespaceRead(req, room.owner)
  }
}

function namespaceRead(req: AccessRequest, owner: string): Decision {
  const { principal, role } = req
  if (owner === principal || role === 'owner' || role === 'reviewer') return ALLOW
  if (req.visibility === 'team') return ALLOW
  if (req.visibility === 'blind-until-submitted') {
    return req.namespaceSubmitted ? ALLOW : deny(`namespace ${owner} is hidden until its owner submits`)
  }
  return deny(`namespace ${owner} is private to its owner, owners and reviewers`)
}

/** What deciding access needs to know about workspaces (the registry, on the server). */
export interface AccessFacts {
  /** The workspace's namespace visibility, or null when there is no such workspace. */
  visibility(workspace: string): Visibility | null
  roleOf(workspace: string, principal: string): Role | null
  isSubmitted(workspace: string, principal: string): boolean
}

/** The one place an access request is built from facts: every channel (socket, HTTP, metrics) uses it. Null: no such workspace. */
export function accessRequest(facts: AccessFacts, principal: string, room: RoomRef): AccessRequest | null {
  const visibility = facts.visibility(room.workspace)
  if (visibility === null) return null
  const owner = namespaceOwnerOf(room)
  return {
    principal,
    role: facts.roleOf(room.workspace, principal),
    visibility,
    room,
    namespaceSubmitted: owner !== null && facts.isSubmitted(room.workspace, owner),
  }
}

/** Whether `principal` may read `room` now (false for an unknown workspace). */
export function mayRead(facts: AccessFacts, principal: string, room: RoomRef): boolean {
  const req = accessRequest(facts, principal, room)
  return req !== null && decideAccess(req, 'read').allow
}

/** Roles that may manage membership of a workspace (besides server administrators). */
export function mayManageMembers(role: Role | null): boolean {
  return role === 'owner'
}
