// Review API: interpretive differences (divergences) per document. Conflicts join here once
// the detector is wired (see server/conflicts).

import { Hono } from 'hono'
import { z } from 'zod'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { queryOf } from '../validate.ts'
import { notFound } from '../errors.ts'
import { workspaceFor } from './workspaces.ts'
import { divergencesFor } from '../../review/divergencesFor.ts'

export function reviewRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  app.get('/:ws/divergences', async (c) => {
    const principal = c.get('principal')
    const { workspace } = workspaceFor(deps.registry, c.req.param('ws'), principal)
    const { doc } = queryOf(c, z.object({ doc: z.string().min(1).max(200) }))
    const result = await divergencesFor(deps, workspace.id, doc, principal)
    if (!result) throw notFound(`no document "${doc}" in ${workspace.id}`)
    return c.json(result)
  })
  return app
}
