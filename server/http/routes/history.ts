// Document history: versions, text at a version, diffs and blame with authors, restore.
//   GET  /:ws/docs/:id/versions?limit=            → { versions }   newest first, where the document changed
//   POST /:ws/docs/:id/versions  { label? }       → 201 version    (editors, owners)
//   GET  /:ws/docs/:id/versions/:v                → { version, text }
//   GET  /:ws/docs/:id/diff?from=V&to=V|current   → { from, to, spans: [{ kind, text, principal }] }
//   POST /:ws/docs/:id/as-read  { snapshot } | { stateVector }  → { text, exact }   the text an annotation was made against
//   GET  /:ws/docs/:id/blame                      → { runs: [{ text, principal, at }] }
//   POST /:ws/docs/:id/restore   { version }      → { restored, edits, text }   (editors, owners)
//   GET  /:ws/export                              → the workspace as JSON (server/history/exportWorkspace.ts)
//   POST /:ws/import             an export          → 201 { imported, skipped }   (owners; new or empty workspace only)
// Members read the history of the shared room (every member reads it); writing needs
// mayEditShared, like every right that writes into shared documents. Texts at a version, diffs,
// blame and export rebuild from the whole history: they are rate-limited per principal (HistoryReads).

import { Hono, type Context } from 'hono'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody, queryOf } from '../validate.ts'
import { badRequest, conflict, forbidden, notFound } from '../../errors.ts'
import { member } from '../member.ts'
import { mayEditShared } from '../../../shared/access.ts'
import { sharedRoom } from '../../../shared/rooms.ts'
import { documentText } from '../../../shared/documents.ts'
import type { VersionService } from '../../history/VersionService.ts'
import type { BlameRun, DiffSpan, VersionSummary } from '../../../shared/api/types.ts'
import { AsReadBody, DiffQuery, HistoryDocId, LabelBody, RestoreBody, VersionNumber, VersionsQuery } from '../../../shared/api/schemas.ts'
import type { Role } from '../../../shared/model.ts'
import { exportWorkspace, type ExportDeps } from '../../history/exportWorkspace.ts'
import { ImportSchema, importWorkspace } from '../../history/importWorkspace.ts'
import type { HistoryReads } from '../HistoryReads.ts'

export function historyRoutes(deps: ApiDeps & Omit<ExportDeps, 'registry' | 'core'> & { versions: VersionService; reads: HistoryReads }): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const { versions, reads } = deps
  const inWorkspace = member(deps.registry)

  /** The shared room and the caller's rights, refusing non-members (admins get no implicit access). */
  const context = (c: Context<ApiEnv>, write: boolean) => {
    const { workspace, role } = c.var
    refuseUnless(role, write)
    const doc = HistoryDocId.safeParse(c.req.param('id'))
    if (!doc.success) throw badRequest('a document id has 1 to 200 characters')
    return { workspace, room: sharedRoom(workspace.id), doc: doc.data }
  }

  const existing = async (room: string, doc: string, ws: string) => {
    if (!documentText((await deps.core.room(room)).doc, doc)) throw notFound(`no document ${doc} in ${ws}: GET .../docs lists them`)
  }

  app.get('/:ws/docs/:id/versions', inWorkspace, async (c) => {
    const { room, doc } = context(c, false)
    const { limit } = queryOf(c, VersionsQuery)
    return c.json({ versions: (await versions.list(room, doc, limit)) satisfies VersionSummary[] })
  })

  app.post('/:ws/docs/:id/versions', inWorkspace, async (c) => {
    const principal = c.get('principal')
    const { room, doc, workspace } = context(c, true)
    const { label } = await jsonBody(c, LabelBody)
    await existing(room, doc, workspace.id)
    return c.json((await versions.request(room, principal.id, doc, label || null)) satisfies VersionSummary, 201)
  })

  app.get('/:ws/docs/:id/versions/:v', inWorkspace, async (c) => {
    const { room, doc, workspace } = context(c, false)
    const n = VersionNumber.safeParse(c.req.param('v'))
    if (!n.success) throw badRequest(`version: ${n.error.issues[0].message}`)
    reads.take(c.get('principal').id, 'text at a version')
    const found = await versions.textAt(room, doc, n.data)
    if (!found) throw notFound(`no version ${n.data} in ${workspace.id}: list them with GET .../docs/${doc}/versions`)
    if (found.text === null) throw notFound(`document ${doc} did not exist at version ${n.data}`)
    return c.json(found)
  })

  app.get('/:ws/docs/:id/diff', inWorkspace, async (c) => {
    const { room, doc } = context(c, false)
    const q = queryOf(c, DiffQuery)
    reads.take(c.get('principal').id, 'diff')
    const result = await versions.diff(room, doc, q.from, q.to)
    if ('missing' in result) throw notFound(result.missing)
    return c.json({ from: q.from, to: q.to, spans: result.spans satisfies DiffSpan[] })
  })

  // A POST because a recorded snapshot may be kilobytes; it reads only (members read every past text).
  app.post('/:ws/docs/:id/as-read', inWorkspace, async (c) => {
    const { room, doc, workspace } = context(c, false)
    const point = await jsonBody(c, AsReadBody)
    reads.take(c.get('principal').id, 'text as read')
    const found = await versions.textAsRead(room, doc, point)
    if ('invalid' in found) throw badRequest(found.invalid)
    if (found.text === null) throw notFound(`document ${doc} did not exist in ${workspace.id} when that was read`)
    return c.json(found)
  })

  app.get('/:ws/docs/:id/blame', inWorkspace, async (c) => {
    const { room, doc, workspace } = context(c, false)
    reads.take(c.get('principal').id, 'blame')
    const runs = await versions.blame(room, doc)
    if (!runs) throw notFound(`no document ${doc} in ${workspace.id}`)
    return c.json({ runs: runs satisfies BlameRun[] })
  })

  app.post('/:ws/docs/:id/restore', inWorkspace, async (c) => {
    const principal = c.get('principal')
    const { room, doc, workspace } = context(c, true)
    const { version } = await jsonBody(c, RestoreBody)
    const result = await versions.restore(room, doc, version, principal.id)
    if ('missing' in result) throw notFound(result.missing)
    c.get('log').info({ workspace: workspace.id, doc, version, edits: result.edits }, 'document restored')
    const text = documentText((await deps.core.room(room)).doc, doc)?.toString() ?? ''
    return c.json({ ...result, text })
  })

  // Everything the caller may read, nothing more: namespaces by the access policy.
  app.get('/:ws/export', inWorkspace, async (c) => {
    const { principal, workspace, role } = c.var
    refuseUnless(role, false)
    reads.take(principal.id, 'export')
    c.header('content-disposition', `attachment; filename="${workspace.id}.json"`)
    return c.json(await exportWorkspace(deps, workspace, principal))
  })

  // Checked whole before anything is written: a body that does not validate changes nothing.
  app.post('/:ws/import', inWorkspace, async (c) => {
    const { principal, workspace, role } = c.var
    if (role !== 'owner') throw forbidden('only owners import into a workspace: ask an owner to import it, or to make you owner')
    const body = await jsonBody(c, ImportSchema)
    const result = await importWorkspace({ core: deps.core, registry: deps.registry, tasks: deps.tasks }, workspace.id, principal.id, body)
    if ('notEmpty' in result) throw conflict(result.notEmpty)
    if ('invalid' in result) throw badRequest(result.invalid)
    c.get('log').info({ workspace: workspace.id, ...result.imported }, 'workspace imported')
    return c.json(result, 201)
  })

  return app
}

function refuseUnless(role: Role | null, write: boolean): void {
  if (role === null) throw forbidden('only members read a workspace history: ask an owner to add you')
  if (write && !mayEditShared(role)) throw forbidden(`role ${role} may not change shared documents: ask an owner for the editor role`)
}
