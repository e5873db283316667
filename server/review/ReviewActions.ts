// Actions on interpretive differences (DESIGN.md §1): keep, reply, promote to a shared note,
// accept or reject a proposed edit. None of them "resolves" a difference: keep and reply are
// recorded in the review room; promote and accept are explicit acts that turn a reading into an
// operational change, written as the acting person (Room.writeAsServer). Decisions about
// <owner>'s readings live in <owner>'s review room `W/review/<owner>` (shared/review/state.ts),
// readable exactly when the namespace is; a proposer's namespace stays theirs alone.
import type { Principal } from '../../shared/model.ts'
import { namespaceRoom, reviewRoom, sharedRoom } from '../../shared/rooms.ts'
import { ownItem, parseAnnotation, parseProposal, type Annotation, type Proposal } from '../../shared/annotations.ts'
import {
  REVIEW_MAPS,
  decideReviewAction,
  readReviewState,
  replyId,
  reviewKey,
  type AnnotationDecision,
  type ProposalDecision,
  type Reply,
  type ReviewAction,
} from '../../shared/review/index.ts'
import type { Registry } from '../registry/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import type { Room } from '../core/Room.ts'
import type { ConflictService } from '../conflicts/index.ts'
import { readableNamespaces } from './readableNamespaces.ts'
import { reviewStateOf } from './reviewStates.ts'
import { acceptInto, type AcceptVerdict } from './acceptInto.ts'
import { ReviewError } from './errors.ts'
import { promotedNote } from './promotedNote.ts'
import type { SharedNote } from '../../shared/review/sharedNote.ts'
import type { Accepted } from '../../shared/api/types.ts'

export interface ReviewActionsDeps {
  registry: Registry
  core: SyncCore
  conflicts: ConflictService
  now?: () => number
}

export class ReviewActions {
  readonly #deps: ReviewActionsDeps
  /** One review action at a time per workspace: accept decisions read what earlier ones recorded. */
  readonly #chains = new Map<string, Promise<unknown>>()

  constructor(deps: ReviewActionsDeps) {
    this.#deps = deps
  }

  async keep(ws: string, actor: Principal, owner: string, id: string): Promise<AnnotationDecision> {
    await this.#annotation(ws, actor, owner, id, 'keep')
    return this.#serial(ws, async () => {
      const review = await this.#review(ws, owner)
      const existing = readReviewState(review.doc).decisions.get(reviewKey(owner, id))
      if (existing) return existing // kept already, or promoted (which says more)
      const decision: AnnotationDecision = { action: 'keep', by: actor.id, at: this.#now() }
      await review.writeAsServer(actor.id, `keep ${reviewKey(owner, id)}`, (d) => d.getMap(REVIEW_MAPS.decisions).set(reviewKey(owner, id), decision))
      return decision
    })
  }

  async reply(ws: string, actor: Principal, owner: string, id: string, text: string): Promise<Reply> {
    await this.#annotation(ws, actor, owner, id, 'reply')
    const target = reviewKey(owner, id)
    const reply: Reply = { id: replyId(target, actor.id, text), target, author: actor.id, text, at: this.#now() }
    return this.#serial(ws, async () => {
      const review = await this.#review(ws, owner)
      const existing = readReviewState(review.doc)
        .replies.get(target)
        ?.find((r) => r.id === reply.id)
      if (existing) return existing
      await review.writeAsServer(actor.id, `reply ${target}`, (d) => d.getMap(REVIEW_MAPS.replies).set(reply.id, reply))
      return reply
    })
  }

  async promote(ws: string, actor: Principal, owner: string, id: string): Promise<{ decision: AnnotationDecision; note: SharedNote }> {
    const annotation = await this.#annotation(ws, actor, owner, id, 'promote')
    const key = reviewKey(owner, id)
    return this.#serial(ws, async () => {
      const shared = await this.#deps.core.room(sharedRoom(ws))
      const review = await this.#review(ws, owner)
      const existing = readReviewState(review.doc).decisions.get(key)
      const current = shared.doc.getMap('notes').get(key) as SharedNote | undefined
      if (existing?.action === 'promote' && current) return { decision: existing, note: current }
      const at = this.#now()
      const note = promotedNote(key, annotation, actor.id, at)
      await shared.writeAsServer(actor.id, `promote ${key}`, (d) => d.getMap('notes').set(key, note))
      const decision: AnnotationDecision = { action: 'promote', by: actor.id, at, note: key }
      await review.writeAsServer(actor.id, `promote ${key}`, (d) => d.getMap(REVIEW_MAPS.decisions).set(key, decision))
      return { decision, note }
    })
  }

  async accept(ws: string, actor: Principal, owner: string, id: string): Promise<Accepted> {
    const proposal = await this.#proposal(ws, actor, owner, id, 'accept')
    const key = reviewKey(owner, id)
    return this.#serial(ws, async () => {
      const review = await this.#review(ws, owner)
      const existing = readReviewState(review.doc).proposals.get(key)
      if (existing?.status === 'conflict') throw proposalConflict(existing.conflict ?? '')
      if (existing) throw new ReviewError('conflict', 'already_decided', `this proposal was ${existing.status} by ${existing.by}`)
      // Earlier accepted edits of every namespace: an overlap is operational whoever proposed it.
      const everyone = this.#deps.registry.members(ws).map((m) => m.id)
      const accepted = [...(await reviewStateOf(this.#deps.core, ws, everyone)).proposals]
        .filter(([, d]) => d.status === 'accepted' && d.applied)
        .sort(([, a], [, b]) => b.at - a.at)
        .map(([k, d]) => ({ key: k, edit: d.applied! }))
      const shared = await this.#deps.core.room(sharedRoom(ws))
      const at = this.#now()
      let verdict: AcceptVerdict = { kind: 'missing' }
      await shared.writeAsServer(actor.id, `accept ${key}`, (d) => {
        verdict = acceptInto(d, { room: sharedRoom(ws), proposal, accepted, now: at })
      })
      const v = verdict as AcceptVerdict
      if (v.kind === 'missing') throw new ReviewError('not_found', 'not_found', `no document "${proposal.doc}" in ${ws}`)
      if (v.kind === 'stale') {
        const now = v.now === null ? 'the text it was about is gone' : `that stretch now reads “${v.now}”`
        throw new ReviewError(
          'conflict',
          'stale',
          `the text changed since this proposal was made (it replaced “${proposal.target.quote.exact}”; ${now}); it is not applied blindly — ask for a new proposal`,
        )
      }
      if (v.kind === 'conflict') {
        await this.#deps.conflicts.record(ws, [v.record])
        const decision: ProposalDecision = { status: 'conflict', by: actor.id, at, conflict: v.record.id }
        await review.writeAsServer(actor.id, `accept ${key}`, (d) => d.getMap(REVIEW_MAPS.proposals).set(key, decision))
        throw proposalConflict(v.record.id)
      }
      const decision: ProposalDecision = { status: 'accepted', by: actor.id, at, applied: v.applied }
      await review.writeAsServer(actor.id, `accept ${key}`, (d) => d.getMap(REVIEW_MAPS.proposals).set(key, decision))
      return { status: 'accepted', decision, text: (shared.doc.getMap('docs').get(proposal.doc) as { toString(): string }).toString() }
    })
  }

  async reject(ws: string, actor: Principal, owner: string, id: string): Promise<ProposalDecision> {
    await this.#proposal(ws, actor, owner, id, 'reject')
    const key = reviewKey(owner, id)
    return this.#serial(ws, async () => {
      const review = await this.#review(ws, owner)
      const existing = readReviewState(review.doc).proposals.get(key)
      if (existing?.status === 'rejected') return existing
      if (existing)
        throw new ReviewError('conflict', 'already_decided', `this proposal was ${existing.status === 'conflict' ? 'accepted into a conflict' : existing.status} by ${existing.by}`)
      const decision: ProposalDecision = { status: 'rejected', by: actor.id, at: this.#now() }
      await review.writeAsServer(actor.id, `reject ${key}`, (d) => d.getMap(REVIEW_MAPS.proposals).set(key, decision))
      return decision
    })
  }

  /** Checks the actor may take `action` on `owner`'s namespace (404 when it may not even see it). */
  authorize(ws: string, actor: Principal, owner: string, action: ReviewAction): void {
    const role = this.#deps.registry.roleOf(ws, actor.id)
    const readable = readableNamespaces(this.#deps.registry, ws, actor).includes(owner)
    const decision = decideReviewAction(role, readable, action)
    if (decision.allow) return
    throw readable ? new ReviewError('forbidden', 'forbidden', decision.reason) : new ReviewError('not_found', 'not_found', `no namespace ${owner} you may read`)
  }

  async #annotation(ws: string, actor: Principal, owner: string, id: string, action: ReviewAction): Promise<Annotation> {
    this.authorize(ws, actor, owner, action)
    const ns = await this.#deps.core.room(namespaceRoom(ws, owner))
    const a = ownItem(owner, ns.doc.getMap('annotations').get(id), parseAnnotation)
    if (!a) throw new ReviewError('not_found', 'not_found', `no annotation ${id} in ${owner}'s namespace`)
    return a
  }

  async #proposal(ws: string, actor: Principal, owner: string, id: string, action: ReviewAction): Promise<Proposal> {
    this.authorize(ws, actor, owner, action)
    const ns = await this.#deps.core.room(namespaceRoom(ws, owner))
    const p = ownItem(owner, ns.doc.getMap('proposals').get(id), parseProposal)
    if (!p) throw new ReviewError('not_found', 'not_found', `no proposal ${id} in ${owner}'s namespace`)
    return p
  }

  #review(ws: string, owner: string): Promise<Room> {
    return this.#deps.core.room(reviewRoom(ws, owner))
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)()
  }

  #serial<T>(ws: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.#chains.get(ws) ?? Promise.resolve()).then(fn)
    const settled = next.catch(() => {})
    this.#chains.set(ws, settled)
    void settled.then(() => {
      if (this.#chains.get(ws) === settled) this.#chains.delete(ws)
    })
    return next
  }
}

function proposalConflict(conflict: string): ReviewError {
  return new ReviewError(
    'conflict',
    'proposal_conflict',
    `an earlier accepted proposal already rewrote this stretch: recorded as operational conflict ${conflict}; resolve it in the Conflicts tab`,
    { conflict },
  )
}
