// Review API: interpretive differences (divergences) per document, and the actions on them.
// Nothing is "resolved" here (operational conflicts are in conflicts.ts):
//   GET  /:ws/divergences?doc=NAME                 groups + per-annotation decision/replies + proposals
//   POST /:ws/annotations/:owner/:id/keep           {}              → { decision }
//   POST /:ws/annotations/:owner/:id/reply          { text }        → { reply }
//   POST /:ws/annotations/:owner/:id/promote        {}              → { decision, note }
//   GET  /:ws/proposals/:owner/:id                                  → ProposalView
//   POST /:ws/proposals/:owner/:id/accept           {}              → { status: 'accepted', decision, text }
//                                                   409 stale | proposal_conflict (+ conflict id) | already_decided
//   POST /:ws/proposals/:owner/:id/reject           {}              → { decision }
//   GET  /:ws/vocabulary                                            → { synonyms, isDefault }
//   PUT  /:ws/vocabulary                            { synonyms }    → { synonyms, isDefault: false }  (owners)
// Who may act: shared/review/policy.ts (read the namespace; keep/reply/reject need review-room
// write, promote/accept need shared-document write).

import { Hono, type Context } from 'hono'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody, paramsOf, queryOf } from '../validate.ts'
import { forbidden, notFound } from '../../errors.ts'
import { member } from '../member.ts'
import { DivergencesQuery, EmptyBody, ReplyBody, ReviewTarget } from '../../../shared/api/schemas.ts'
import type { Accepted, Kept, Promoted, Rejected, Replied, VocabularyAnswer } from '../../../shared/api/types.ts'
import type { ConflictService } from '../../conflicts/index.ts'
import { ReviewActions, proposalViewFor, reviewedDivergencesFor } from '../../review/index.ts'
import { VOCABULARY_MAP, VocabularySchema, mayEditVocabulary, readVocabulary } from '../../../shared/review/index.ts'
import { tasksRoom } from '../../../shared/rooms.ts'

export function reviewRoutes(deps: ApiDeps & { conflicts: ConflictService }): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const actions = new ReviewActions(deps)
  const inWorkspace = member(deps.registry)

  app.get('/:ws/divergences', inWorkspace, async (c) => {
    const { principal, workspace } = c.var
    const { doc, superseded } = queryOf(c, DivergencesQuery)
    const result = await reviewedDivergencesFor(deps, workspace.id, doc, principal, superseded === 'show')
    if (!result) throw notFound(`no document "${doc}" in ${workspace.id}`)
    return c.json(result)
  })

  // The label synonyms agreement uses (shared/review/agreement.ts), kept in the tasks room
  // (shared/review/vocabulary.ts) so every member's browser reads the same vocabulary live;
  // only the server writes it.
  app.get('/:ws/vocabulary', inWorkspace, async (c) => {
    const { workspace } = c.var
    const { vocabulary, isDefault } = readVocabulary((await deps.core.room(tasksRoom(workspace.id))).doc)
    return c.json({ ...vocabulary, isDefault } satisfies VocabularyAnswer)
  })

  app.put('/:ws/vocabulary', inWorkspace, async (c) => {
    const { principal, workspace, role } = c.var
    const may = mayEditVocabulary(role, principal.admin === true)
    if (!may.allow) throw forbidden(may.reason)
    const { synonyms } = await jsonBody(c, VocabularySchema)
    const room = await deps.core.room(tasksRoom(workspace.id))
    await room.writeAsServer(principal.id, 'vocabulary', (d) => d.getMap(VOCABULARY_MAP).set('synonyms', synonyms))
    return c.json({ synonyms, isDefault: false } satisfies VocabularyAnswer)
  })

  app.post('/:ws/annotations/:owner/:id/:action{keep|reply|promote}', inWorkspace, async (c) => {
    const { ws, actor, owner, id } = target(c)
    const action = c.req.param('action')
    if (action === 'keep') {
      await noBody(c)
      return c.json({ decision: await actions.keep(ws, actor, owner, id) } satisfies Kept)
    }
    if (action === 'reply') {
      const { text } = await jsonBody(c, ReplyBody)
      return c.json({ reply: await actions.reply(ws, actor, owner, id, text) } satisfies Replied, 201)
    }
    await noBody(c)
    return c.json((await actions.promote(ws, actor, owner, id)) satisfies Promoted)
  })

  // Reading a proposal needs only its namespace to be readable (viewers included).
  app.get('/:ws/proposals/:owner/:id', inWorkspace, async (c) => {
    const { ws, actor, owner, id } = target(c)
    const view = await proposalViewFor(deps, ws, actor, owner, id)
    if (!view) throw notFound(`no proposal ${id} in ${owner}'s namespace you may read`)
    return c.json(view)
  })

  app.post('/:ws/proposals/:owner/:id/:action{accept|reject}', inWorkspace, async (c) => {
    const { ws, actor, owner, id } = target(c)
    await noBody(c)
    if (c.req.param('action') === 'accept') {
      const outcome = await actions.accept(ws, actor, owner, id)
      c.get('log').info({ proposal: `${owner}/${id}`, by: actor.id }, 'proposal accepted')
      return c.json(outcome satisfies Accepted)
    }
    return c.json({ decision: await actions.reject(ws, actor, owner, id) } satisfies Rejected)
  })
  return app
}

/** The annotation or proposal a route names, in the workspace member() resolved. */
function target(c: Context<ApiEnv>) {
  const { owner, id } = paramsOf(c, ReviewTarget)
  return { ws: c.var.workspace.id, actor: c.var.principal, owner, id }
}

/** Actions without parameters accept no body or `{}`; anything else is a 400. */
async function noBody(c: Context<ApiEnv>): Promise<void> {
  await jsonBody(c, EmptyBody, { ifEmpty: {}, invalid: 'this action takes no parameters: send {} or no body' })
}
