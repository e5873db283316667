// Who may resolve an operational conflict. Pure; the HTTP API and the browser both use it.
//
// Resolving writes the chosen value (a party's or a new one) into the shared document as an
// edit attributed to the person, so it needs the right to edit that document: owners and
// editors (mayEditShared, the rule shared/access.ts applies to the shared room). A reviewer may
// not: picking "a party's value" still overwrites what another party wrote, which is an edit of
// text the reviewer may not edit directly. Claim races write no document, but they are a
// decision about the task board, which the same roles change; one rule for every kind.
import { mayEditShared } from '../access.ts'
import type { Role } from '../model.ts'
import type { ConflictRecord } from './types.ts'

export type ResolutionDecision = { allow: true } | { allow: false; reason: string }

export function decideConflictResolution(role: Role | null, record: Pick<ConflictRecord, 'location'>): ResolutionDecision {
  if (role === null) return { allow: false, reason: 'not a member of this workspace' }
  if (mayEditShared(role)) return { allow: true }
  const what = record.location.kind === 'task' ? 'it decides a task claim, which' : 'it writes the chosen value into the shared document, which'
  return { allow: false, reason: `role ${role} may not resolve conflicts: ${what} only owners and editors change` }
}
