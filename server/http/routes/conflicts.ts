// Operational conflicts: list, resolve, and a live event stream (SSE) for the review view.

import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody, queryOf } from '../validate.ts'
import { ApiError, badRequest, conflict, forbidden, notFound } from '../errors.ts'
import { workspaceFor } from './workspaces.ts'
import type { ConflictService } from '../../conflicts/ConflictService.ts'
import { ResolutionError } from '../../conflicts/applyResolution.ts'
import { decideConflictResolution, type ConflictRecord } from '../../../shared/conflicts/index.ts'
import { documentOfLocation, titlesFor } from '../../../shared/documents.ts'
import { sharedRoom } from '../../../shared/rooms.ts'

const ResolveBody = z.union([z.object({ pick: z.string().min(1) }).strict(), z.object({ value: z.string().max(1_000_000) }).strict()])

export function conflictRoutes(deps: ApiDeps & { conflicts: ConflictService }): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  // `?doc=ID` also finds conflicts on the document's title; `titles` names every document listed.
  app.get('/:ws/conflicts', async (c) => {
    const { workspace } = workspaceFor(deps.registry, c.req.param('ws'), c.get('principal'))
    const q = queryOf(c, z.object({ status: z.enum(['open', 'resolved', 'all']).default('open'), doc: z.string().optional() }))
    const conflicts = deps.conflicts.list(workspace.id, { status: q.status }).filter((r) => !q.doc || documentOfLocation(r.location) === q.doc)
    const shared = (await deps.core.room(sharedRoom(workspace.id))).doc
    const ids = conflicts.map((r) => documentOfLocation(r.location)).filter((id) => id !== null)
    return c.json({ conflicts, titles: titlesFor(shared, ids) })
  })

  app.post('/:ws/conflicts/:id/resolve', async (c) => {
    const principal = c.get('principal')
    const { workspace, role } = workspaceFor(deps.registry, c.req.param('ws'), principal)
    const id = c.req.param('id')
    const record = deps.conflicts.get(workspace.id, id)
    if (!record) throw notFound(`no conflict ${id} in ${workspace.id}`)
    const decision = decideConflictResolution(role, record)
    if (!decision.allow) throw forbidden(decision.reason)
    const choice = await jsonBody(c, ResolveBody)
    let result: Awaited<ReturnType<ConflictService['resolve']>>
    try {
      result = await deps.conflicts.resolve(workspace.id, id, principal.id, choice)
    } catch (err) {
      if (err instanceof RangeError) throw badRequest(err.message)
      if (err instanceof ResolutionError) throw conflict(err.message)
      throw err
    }
    if (result === 'not_found') throw notFound(`no conflict ${id} in ${workspace.id}`)
    if (result === 'resolved') throw new ApiError(409, 'already_resolved', 'this conflict was resolved already; reload to see how')
    c.get('log').info({ conflict: result.id, choice: result.resolution?.choice }, 'conflict resolved')
    return c.json(result)
  })

  // EventSource cannot send headers: this route also accepts ?token= (see requireAuth).
  app.get('/:ws/events', (c) => {
    const { workspace } = workspaceFor(deps.registry, c.req.param('ws'), c.get('principal'))
    return streamSSE(c, async (stream) => {
      const onConflict = (ws: string, record: ConflictRecord) => {
        if (ws === workspace.id) void stream.writeSSE({ event: 'conflict', data: JSON.stringify(record), id: record.id })
      }
      deps.conflicts.on('conflict', onConflict)
      let open = true
      stream.onAbort(() => {
        open = false
        deps.conflicts.off('conflict', onConflict)
      })
      await stream.writeSSE({ event: 'ready', data: '{}' })
      while (open) {
        await stream.sleep(15_000)
        if (open) await stream.writeSSE({ event: 'ping', data: '{}' })
      }
    })
  })
  return app
}
