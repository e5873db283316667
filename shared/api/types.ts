// What each endpoint takes and answers. Request types are z.input of the schemas the server
// validates with (./schemas.ts); answers are declared once here and the routes check what they
// send against them (`satisfies`), so the server and its clients cannot disagree unnoticed.

import type { z } from 'zod'
import type * as S from './schemas.ts'
import type { Principal, PrincipalKind, Role, Workspace } from '../model.ts'
import type { ConflictRecord } from '../conflicts/types.ts'
import type { Lease, Task } from '../coord/types.ts'
import type { AnnotationDecision, ProposalDecision, Reply } from '../review/state.ts'
import type { Vocabulary } from '../review/agreement.ts'
import type { SharedNote } from '../review/sharedNote.ts'
import type { ProposalBodySchema } from '../conflicts/proposals.ts'

// --- requests ---------------------------------------------------------------------------------

export type CreatePrincipalBody = z.input<typeof S.CreatePrincipalBody>
export type CreateWorkspaceBody = z.input<typeof S.CreateWorkspaceBody>
/** Queries are coerced from strings on the server: a client passes what they become, all optional. */
export type ConflictsQuery = Partial<z.output<typeof S.ConflictsQuery>>
export type ResolveBody = z.input<typeof S.ResolveBody>
/** A proposed resolution: a choice like ResolveBody, with the reasoning behind it. */
export type ProposalBody = z.input<typeof ProposalBodySchema>
export type DivergencesQuery = z.input<typeof S.DivergencesQuery>
export type AsReadBody = z.input<typeof S.AsReadBody>
export type NewTaskBody = z.input<typeof S.NewTaskBody>
export type TeamMetricsQuery = Partial<z.output<typeof S.TeamMetricsQuery>>
export type AgentReportBody = z.input<typeof S.AgentReportBody>

// --- identities and workspaces ----------------------------------------------------------------

export interface Member {
  id: string
  kind: PrincipalKind
  name: string
  role: Role
  /** Whether this member marked their review submitted (opens blind namespaces). */
  submitted: boolean
  /** The colour the workspace gave this member (`#rrggbb`), the same on every screen, kept while away. */
  color: string
}

export type WorkspaceSummary = Workspace & { role: Role }

/** GET /api/me */
export interface Me {
  principal: Principal
  workspaces: WorkspaceSummary[]
}

/** GET /api/workspaces/:ws (role is null for an administrator who is not a member). */
export type WorkspaceDetail = Workspace & {
  role: Role | null
  members: Member[]
  /** Namespaces this caller may open now (the rule sockets obey). */
  readableNamespaces: string[]
}

export type PrincipalListing = Principal & { revoked: boolean }
export interface CreatedPrincipal {
  id: string
  token: string
}
/** Sockets and event streams closed because the principal's access changed. */
export interface Closed {
  closedSockets: number
  closedStreams: number
}
export type RevokedPrincipal = Closed & { id: string; revoked: true }
export type RotatedToken = Closed & { id: string; token: string }
export interface MemberRoleSet {
  workspace: string
  principal: string
  role: Role
}
export type MemberRemoved = Closed & { workspace: string; principal: string; removed: true }
export interface SubmittedSet {
  workspace: string
  principal: string
  submitted: boolean
  closedSockets: number
}

// --- conflicts and review ---------------------------------------------------------------------

export interface ConflictPage {
  conflicts: ConflictRecord[]
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null
  /** The title of every document the listed conflicts are on. */
  titles: Record<string, string>
}
/** What submitting a proposed resolution did: stored for approval, or applied at once (the workspace allows it). */
export interface ProposalSubmitted {
  conflict: ConflictRecord
  applied: boolean
  /** Why it waits for a person, when it does. */
  reason?: string
}
export interface Kept {
  decision: AnnotationDecision
}
export interface Replied {
  reply: Reply
}
export interface Promoted {
  decision: AnnotationDecision
  note: SharedNote
}
export interface Accepted {
  status: 'accepted'
  decision: ProposalDecision
  text: string
}
export interface Rejected {
  decision: ProposalDecision
}
export type VocabularyAnswer = Vocabulary & { isDefault: boolean }

// --- history (docs/history.md) -------------------------------------------------------------

/** A version as GET .../versions lists it. */
export interface VersionSummary {
  n: number
  seq: number
  at: number
  principal: string
  reason: 'idle' | 'before-server-write' | 'request' | 'unload'
  label: string | null
  docs: string[]
  bytes: number
}

export type DiffSpan = { kind: 'same' | 'inserted' | 'deleted'; text: string; principal: string | null }
export type BlameRun = { text: string; principal: string; at: number | null }

// --- tasks ------------------------------------------------------------------------------------

/** A claim or renewal that was granted. */
export interface Granted {
  lease: Lease
  fencingToken: number
  expiresAt: number
  task: Task
}
export interface TaskAnswer {
  task: Task
}
export interface TaskList {
  tasks: Task[]
}
/** `created` is false when the same task existed already (an idempotent retry). */
export type TaskCreated = TaskAnswer & { created: boolean }
export interface AgentReported {
  recorded: true
}
