// Operational conflicts: list, resolve, and a live event stream (SSE) for the review view.

import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody, queryOf } from '../validate.ts'
import { tooManyRequests } from '../errors.ts'
import { DomainError, forbidden, notFound } from '../../errors.ts'
import { member, membershipOf } from '../member.ts'
import type { ConflictService } from '../../conflicts/index.ts'
import { ConflictsQuery, ResolveBody } from '../../../shared/api/schemas.ts'
import type { ConflictPage } from '../../../shared/api/types.ts'
import { decideConflictResolution, type ConflictRecord } from '../../../shared/conflicts/index.ts'
import { documentOfLocation, titlesFor } from '../../../shared/documents.ts'
import { sharedRoom } from '../../../shared/rooms.ts'

/** Events queued towards one slow event-stream reader before its stream is ended. */
const MAX_QUEUED_EVENTS = 256

export function conflictRoutes(deps: ApiDeps & { conflicts: ConflictService }): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const inWorkspace = member(deps.registry)

  // `?doc=ID` also finds conflicts on the document's title; `titles` names every document listed.
  app.get('/:ws/conflicts', inWorkspace, async (c) => {
    const { workspace } = c.var
    const q = queryOf(c, ConflictsQuery)
    const page = await deps.conflicts.page(workspace.id, q)
    const shared = (await deps.core.room(sharedRoom(workspace.id))).doc
    const ids = page.conflicts.map((r) => documentOfLocation(r.location)).filter((id) => id !== null)
    return c.json({ ...page, titles: titlesFor(shared, ids) } satisfies ConflictPage)
  })

  app.post('/:ws/conflicts/:id/resolve', inWorkspace, async (c) => {
    const { principal, workspace, role } = c.var
    const id = c.req.param('id')
    // The body is validated before any lookup: a malformed request is a 400 whatever it names.
    const choice = await jsonBody(c, ResolveBody)
    const record = await deps.conflicts.get(workspace.id, id)
    if (!record) throw notFound(`no conflict ${id} in ${workspace.id}: GET .../conflicts?status=all lists them`)
    const decision = decideConflictResolution(role, record)
    if (!decision.allow) throw forbidden(decision.reason)
    // A pick that is no party (400) or a place that is gone (409) are DomainErrors from resolve.
    const result = await deps.conflicts.resolve(workspace.id, id, principal.id, choice)
    if (result === 'not_found') throw notFound(`no conflict ${id} in ${workspace.id}: GET .../conflicts?status=all lists them`)
    if (result === 'resolved') throw new DomainError('conflict', 'already_resolved', 'this conflict was resolved already; reload to see how')
    if (result === 'decided') throw new DomainError('conflict', 'decided', 'the server already decided this claim race (one claim won); there is nothing to resolve')
    c.get('log').info({ conflict: result.id, choice: result.resolution?.choice }, 'conflict resolved')
    return c.json(result satisfies ConflictRecord)
  })

  // EventSource cannot send headers: this route alone also accepts ?token= (see requireAuth).
  // The stream is capped (per principal and in total), closed when the token is revoked or the
  // member removed (EventStreams.closeWhere), and re-checks its authorization periodically.
  app.get('/:ws/events', inWorkspace, (c) => {
    const { principal, workspace } = c.var
    const token = bearerOrQueryToken(c.req.header('authorization'), c.req.query('token'))
    // The token still names the same principal, and member() would still let it in.
    const stillAllowed = () => {
      const now = deps.registry.authenticate(token)
      return now !== null && now.id === principal.id && membershipOf(deps.registry, workspace.id, now) !== null
    }
    let end: (reason: string) => void = () => {}
    const slot = deps.streams.open({ principal: principal.id, workspace: workspace.id }, (reason) => end(reason))
    if (!slot.ok) throw tooManyRequests(slot.code, slot.message, slot.retryAfterS)
    const limits = deps.httpLimits
    return streamSSE(c, async (stream) => {
      const ended = new Promise<string | null>((resolve) => {
        end = resolve
        stream.onAbort(() => resolve(null))
      })
      // A reader that does not drain its stream must not make the server queue events for it.
      let queued = 0
      const send = (message: { event: string; data: string; id?: string }) => {
        if (queued >= MAX_QUEUED_EVENTS) return end('events were not read fast enough; reconnect to resume')
        queued++
        void stream
          .writeSSE(message)
          .catch(() => {})
          .finally(() => queued--)
      }
      const onConflict = (ws: string, record: ConflictRecord) => {
        if (ws === workspace.id) send({ event: 'conflict', data: JSON.stringify(record), id: record.id })
      }
      deps.conflicts.on('conflict', onConflict)
      const ping = setInterval(() => send({ event: 'ping', data: '{}' }), limits.eventStreamPingMs)
      const recheck = setInterval(() => {
        if (!stillAllowed()) end('your access to this workspace ended')
      }, limits.eventStreamRecheckMs)
      try {
        await stream.writeSSE({ event: 'ready', data: '{}' })
        const reason = await ended
        // Tell the client why, so it does not reconnect in a loop with a dead token; a reader that
        // does not take even this gets its stream cut after a second.
        if (reason !== null) {
          let timer: NodeJS.Timeout | undefined
          const told = stream.writeSSE({ event: 'closed', data: JSON.stringify({ reason }) }).then(
            () => true,
            () => false,
          )
          const cut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 1000)))
          if (!(await Promise.race([told, cut]))) stream.abort()
          clearTimeout(timer)
        }
      } finally {
        clearInterval(ping)
        clearInterval(recheck)
        deps.conflicts.off('conflict', onConflict)
        slot.release()
      }
    })
  })
  return app
}

/** The token the request authenticated with (requireAuth accepted one of the two). */
function bearerOrQueryToken(header: string | undefined, query: string | undefined): string {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? query ?? ''
}
