// The divergences of one document as the review view wants them: grouped readings with each
// annotation's decision and replies, plus the proposed edits with their status. Only what the
// viewer may read: annotations, proposals and review records all come from the readable
// namespaces (and their review rooms) alone.
import { ownItem, parseProposal } from '../../shared/annotations.ts'
import { namespaceRoom } from '../../shared/rooms.ts'
import type { Principal } from '../../shared/model.ts'
import { placeProposals, withReview, type Divergences, type ProposalView } from '../../shared/review/index.ts'
import type { Registry } from '../registry/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import { divergencesFor, readableItems, sharedText } from './divergencesFor.ts'
import { readableNamespaces } from './readableNamespaces.ts'
import { reviewStateOf } from './reviewStates.ts'

export async function reviewedDivergencesFor(
  deps: { registry: Registry; core: SyncCore },
  workspace: string,
  doc: string,
  viewer: Principal,
  showSuperseded = false,
): Promise<Divergences | null> {
  const base = await divergencesFor(deps, workspace, doc, viewer, showSuperseded)
  if (!base) return null
  const review = await reviewStateOf(deps.core, workspace, readableNamespaces(deps.registry, workspace, viewer))
  const text = await sharedText(deps, workspace, doc)
  if (!text) return null
  const proposals = await readableItems(deps, workspace, viewer, 'proposals', parseProposal)
  const byPrincipal = new Map([...proposals].map(([owner, list]) => [owner, list.filter((p) => p.doc === doc)] as const).filter(([, list]) => list.length > 0))
  return { ...withReview(base, review), proposals: placeProposals(doc, text, byPrincipal, review) }
}

/** One proposal as the review view lists it, or null when it does not exist or the viewer may not read its namespace. */
export async function proposalViewFor(deps: { registry: Registry; core: SyncCore }, workspace: string, viewer: Principal, owner: string, id: string): Promise<ProposalView | null> {
  if (!readableNamespaces(deps.registry, workspace, viewer).includes(owner)) return null
  const p = ownItem(owner, (await deps.core.room(namespaceRoom(workspace, owner))).doc.getMap('proposals').get(id), parseProposal)
  if (!p) return null
  const text = await sharedText(deps, workspace, p.doc)
  if (!text) return null
  const review = await reviewStateOf(deps.core, workspace, [owner])
  return placeProposals(p.doc, text, new Map([[owner, [p]]]), review)[0] ?? null
}
