// Proposed resolutions: who may propose one, its bounds, and whether it is applied at once or
// waits for a person. Pure; the HTTP API applies it, the browser uses the same rules to show
// the Approve button (approving is resolving: decideConflictResolution).
import * as z from 'zod'
import type { Role } from '../model.ts'
import type { WorkspaceSettings } from '../workspaceSettings.ts'
import { decideConflictResolution, type ResolutionDecision } from './policy.ts'
import type { ConflictRecord } from './types.ts'

export const PROPOSAL_LIMITS = {
  /** Reasoning, in UTF-8 bytes. */
  reasoningBytes: 4096,
  /** Proposers per conflict (each has one current proposal; a new one replaces it). */
  perConflict: 8,
  /** A custom value proposed instead of a party's, in characters (it is stored with the record). */
  valueChars: 16_000,
} as const

const reasoning = z
  .string()
  .min(1, 'reasoning says why: give at least a sentence')
  .refine((r) => new TextEncoder().encode(r).length <= PROPOSAL_LIMITS.reasoningBytes, `reasoning is at most ${PROPOSAL_LIMITS.reasoningBytes} bytes: summarise it`)

/** `pick` a party's value, or a new `value`, with the reasoning behind the choice. */
export const ProposalBodySchema = z.union([
  z.object({ pick: z.string().min(1).max(200), reasoning }).strict(),
  z.object({ value: z.string().max(PROPOSAL_LIMITS.valueChars, `a proposed value is at most ${PROPOSAL_LIMITS.valueChars} characters`), reasoning }).strict(),
])
export type ProposalBody = z.infer<typeof ProposalBodySchema>

/** Proposing writes nothing into documents; anyone who may review may propose. Viewers only read. */
export function decideProposal(role: Role | null, record: Pick<ConflictRecord, 'status' | 'kind'>): ResolutionDecision {
  if (role === null) return { allow: false, reason: 'not a member of this workspace' }
  if (role === 'viewer') return { allow: false, reason: 'role viewer may not propose resolutions: owners, editors and reviewers may' }
  if (record.status === 'decided') return { allow: false, reason: 'the server already decided this claim race; there is nothing to propose' }
  return { allow: true }
}

export type ProposalApplication = { apply: true } | { apply: false; reason: string }

/**
 * Applied at once only when the workspace lets proposals of this kind apply themselves AND the
 * proposer could resolve the conflict by hand; otherwise it waits for a person's approval.
 */
export function decideProposalApplication(settings: WorkspaceSettings, proposerRole: Role | null, record: Pick<ConflictRecord, 'kind' | 'location'>): ProposalApplication {
  if (!(settings.arbiter.autoApply as readonly string[]).includes(record.kind))
    return { apply: false, reason: `the workspace requires a person to approve ${record.kind} resolutions` }
  const rights = decideConflictResolution(proposerRole, record)
  if (!rights.allow) return { apply: false, reason: `the proposer may not resolve it alone: ${rights.reason}` }
  return { apply: true }
}
