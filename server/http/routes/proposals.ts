// Proposed resolutions of operational conflicts (an arbiter's reasoning beside the conflict),
// and approving one. Proposing writes nothing into documents; approving is resolving, with the
// same rights (shared/conflicts/policy.ts). A workspace may let proposals of chosen kinds apply
// themselves when the proposer may resolve (shared/conflicts/proposals.ts).

import { Hono } from 'hono'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody } from '../validate.ts'
import { DomainError, forbidden, notFound } from '../../errors.ts'
import { member } from '../member.ts'
import type { Choice, ConflictService } from '../../conflicts/index.ts'
import {
  decideConflictResolution,
  decideProposal,
  decideProposalApplication,
  PROPOSAL_LIMITS,
  ProposalBodySchema,
  type ConflictRecord,
  type ResolutionProposal,
} from '../../../shared/conflicts/index.ts'
import { mayRead } from '../../../shared/access.ts'
import { parseRoom } from '../../../shared/rooms.ts'
import { DEFAULT_WORKSPACE_SETTINGS } from '../../../shared/workspaceSettings.ts'
import type { Principal } from '../../../shared/model.ts'
import type { ProposalSubmitted } from '../../../shared/api/types.ts'

export function proposalRoutes(deps: ApiDeps & { conflicts: ConflictService }): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const inWorkspace = member(deps.registry)

  /** The record, if it is in this workspace and in a room the caller may read (404 otherwise: its existence is not told). */
  async function readableConflict(workspace: string, id: string, principal: Principal): Promise<ConflictRecord> {
    const record = await deps.conflicts.get(workspace, id)
    const room = record ? parseRoom(record.doc) : null
    if (!record || !room || !mayRead(deps.registry, principal.id, room)) throw notFound(`no conflict ${id} in ${workspace} that you may read`)
    return record
  }

  async function resolveAs(workspace: string, id: string, by: string, choice: Choice, proposedBy: string): Promise<ConflictRecord> {
    // A pick that is no party (400) or a place that is gone (409) are DomainErrors from resolve.
    const result = await deps.conflicts.resolve(workspace, id, by, choice, proposedBy)
    if (result === 'not_found') throw notFound(`no conflict ${id} in ${workspace}`)
    if (result === 'resolved') throw new DomainError('conflict', 'already_resolved', 'this conflict was resolved already; reload to see how')
    if (result === 'decided') throw new DomainError('conflict', 'decided', 'the server already decided this claim race (one claim won); there is nothing to resolve')
    return result
  }

  app.post('/:ws/conflicts/:id/proposals', inWorkspace, async (c) => {
    const { principal, workspace, role } = c.var
    const id = c.req.param('id')
    const body = await jsonBody(c, ProposalBodySchema)
    const record = await readableConflict(workspace.id, id, principal)
    const may = decideProposal(role, record)
    if (!may.allow) throw forbidden(may.reason)
    const choice: Choice = 'pick' in body ? { pick: body.pick } : { value: body.value }
    // A pick that is no party is a DomainError (400) from propose.
    const stored = await deps.conflicts.propose(workspace.id, id, principal.id, choice, body.reasoning)
    if (stored === 'not_found') throw notFound(`no conflict ${id} in ${workspace.id}`)
    if (stored === 'not_open') throw new DomainError('conflict', 'already_resolved', 'this conflict is no longer open; nothing to propose')
    if (stored === 'full') {
      throw new DomainError('conflict', 'too_many_proposals', `this conflict has proposals from ${PROPOSAL_LIMITS.perConflict} others already; approve or resolve it instead`)
    }
    const application = decideProposalApplication(deps.registry.settings(workspace.id) ?? DEFAULT_WORKSPACE_SETTINGS, role, record)
    if (!application.apply) return c.json({ conflict: stored, applied: false, reason: application.reason } satisfies ProposalSubmitted, 201)
    const resolved = await resolveAs(workspace.id, id, principal.id, choice, principal.id)
    c.get('log').info({ conflict: id, choice: resolved.resolution?.choice }, 'proposal applied by its proposer (workspace allows it)')
    return c.json({ conflict: resolved, applied: true } satisfies ProposalSubmitted, 201)
  })

  // Approving is resolving with the proposal's choice; the resolution names both the approver and the proposer.
  app.post('/:ws/conflicts/:id/proposals/:by/approve', inWorkspace, async (c) => {
    const { principal, workspace, role } = c.var
    const id = c.req.param('id')
    const record = await readableConflict(workspace.id, id, principal)
    const rights = decideConflictResolution(role, record)
    if (!rights.allow) throw forbidden(rights.reason)
    const proposal: ResolutionProposal | undefined = record.proposals?.find((p) => p.by === c.req.param('by'))
    if (!proposal) throw notFound(`${c.req.param('by')} has proposed no resolution of ${id}`)
    const choice: Choice = proposal.choice === 'custom' ? { value: proposal.value } : { pick: proposal.choice }
    const resolved = await resolveAs(workspace.id, id, principal.id, choice, proposal.by)
    c.get('log').info({ conflict: id, proposedBy: proposal.by }, 'proposal approved')
    return c.json(resolved)
  })

  return app
}
