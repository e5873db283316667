// The document REST API, for scripts that do not speak Yjs: list, read (JSON or Markdown),
// edit by quote or by versioned range, create or replace, and read the annotations the caller
// may see. Access is the socket rule (shared/access.ts); writes are Room.writeAsServer as the
// caller, so they are attributed and pass the conflict detector. Writes honour Idempotency-Key.

import { Hono, type Context } from 'hono'
import type * as Y from 'yjs'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody } from '../validate.ts'
import { DomainError, badRequest, notFound } from '../../errors.ts'
import { member, requireAccess } from '../member.ts'
import { idempotent, IdempotencyStore } from '../idempotency.ts'
import type { Action } from '../../../shared/access.ts'
import { isValidId, namespaceRoom, sharedRoom, type RoomRef } from '../../../shared/rooms.ts'
import { documentText, listDocuments, MAX_TITLE_LENGTH, titleOf } from '../../../shared/documents.ts'
import { ownItem, parseAnnotation, type Annotation } from '../../../shared/annotations.ts'
import { resolveAnchor } from '../../../shared/anchoring/index.ts'
import type { Workspace } from '../../../shared/model.ts'
import { decodeVersion, etagOf, versionOf } from '../../docs/version.ts'
import { applyEdits, prepareEdits, putDocument, type EditRequest } from '../../docs/documentEdits.ts'
import { DocumentActivity } from '../../docs/activity.ts'
import { EditsBody, MAX_TEXT_CHARS, PutDocumentBody } from '../../../shared/api/schemas.ts'

const MARKDOWN = 'text/markdown; charset=utf-8'

export function documentRoutes(deps: ApiDeps, activity = new DocumentActivity(), idempotency = new IdempotencyStore()): Hono<ApiEnv> {
  const { registry, core } = deps
  const app = new Hono<ApiEnv>()
  const inWorkspace = member(registry)

  /** The workspace, after the same decision a socket to `room` gets. */
  function allowed(c: Context<ApiEnv>, room: (ws: string) => RoomRef, action: Action): Workspace {
    const { workspace, principal } = c.var
    requireAccess(registry, principal, room(workspace.id), action)
    return workspace
  }
  const shared = (ws: string): RoomRef => ({ kind: 'shared', workspace: ws })

  app.get('/:ws/docs', inWorkspace, async (c) => {
    const workspace = allowed(c, shared, 'read')
    const room = sharedRoom(workspace.id)
    const doc = (await core.room(room)).doc
    activity.observe(room, doc)
    const changes = activity.of(room)
    const docs = listDocuments(doc).map((d) => ({ ...d, size: documentText(doc, d.id)?.length ?? 0, lastChange: changes.get(d.id) ?? null }))
    const version = versionOf(doc)
    c.header('etag', etagOf(version))
    return c.json({ docs, version })
  })

  app.get('/:ws/docs/:id', inWorkspace, async (c) => {
    const workspace = allowed(c, shared, 'read')
    const doc = (await core.room(sharedRoom(workspace.id))).doc
    const id = c.req.param('id')
    const text = documentText(doc, id)
    if (!text) throw notFound(`no document ${id} in ${workspace.id} (GET .../docs lists them)`)
    const version = versionOf(doc)
    const etag = etagOf(version)
    c.header('etag', etag)
    if (c.req.header('if-none-match') === etag) return c.body(null, 304)
    if (wantsMarkdown(c)) {
      // The whole token would not fit every client's header limit; the ETag names it.
      c.header('x-polyphony-version', version.length <= 4096 ? version : '')
      return c.body(text.toString(), 200, { 'content-type': MARKDOWN })
    }
    return c.json({ id, title: titleOf(doc, id), text: text.toString(), size: text.length, version })
  })

  app.post('/:ws/docs/:id/edits', idempotent(idempotency), inWorkspace, async (c) => {
    const principal = c.get('principal')
    const workspace = allowed(c, shared, 'write')
    const body = await jsonBody(c, EditsBody)
    const room = await core.room(sharedRoom(workspace.id))
    const id = c.req.param('id')
    const text = documentText(room.doc, id)
    if (!text) throw notFound(`no document ${id} in ${workspace.id}: create it with PUT .../docs/${id}`)
    const snap = body.version === undefined ? null : decodeVersion(body.version, room.doc)
    if (body.version !== undefined && !snap) throw badRequest('version is not a version of this workspace: send the "version" field of a GET answer as it was')
    const prepared = prepareEdits(text, snap, body.edits as EditRequest[])
    let applied: ReturnType<typeof applyEdits> = []
    await room.writeAsServer(principal.id, `rest edit ${id}`, (scratch) => {
      applied = applyEdits(scratch, id, prepared)
    })
    return answerWrite(c, room.doc, id, { applied })
  })

  app.put('/:ws/docs/:id', idempotent(idempotency), inWorkspace, async (c) => {
    const principal = c.get('principal')
    const workspace = allowed(c, shared, 'write')
    const id = c.req.param('id')
    if (!isValidId(id)) throw badRequest(`document id "${id.slice(0, 80)}" must be 1-64 of A-Z a-z 0-9 . _ - and start with a letter or digit`)
    const { text: content, title } = await putBody(c)
    const room = await core.room(sharedRoom(workspace.id))
    const ifMatch = c.req.header('if-match')
    let created = false
    await room.writeAsServer(principal.id, `rest put ${id}`, (scratch) => {
      // Checked inside the write, against the state it applies to.
      if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etagOf(versionOf(scratch))) {
        throw new DomainError(
          'precondition_failed',
          'version_mismatch',
          'the workspace changed since the version in If-Match: GET the document again, or send no If-Match to replace anyway',
        )
      }
      created = putDocument(scratch, id, content, title).created
    })
    return answerWrite(c, room.doc, id, { created }, created ? 201 : 200)
  })

  app.get('/:ws/namespaces/:owner/annotations', inWorkspace, async (c) => {
    const owner = c.req.param('owner')
    const workspace = allowed(c, (ws) => ({ kind: 'namespace', workspace: ws, owner }), 'read')
    const docFilter = c.req.query('doc')
    const ns = (await core.room(namespaceRoom(workspace.id, owner))).doc
    const sharedDoc = (await core.room(sharedRoom(workspace.id))).doc
    const annotations: Array<Annotation & { resolved: ReturnType<typeof resolveAnchor> | null }> = []
    ns.getMap('annotations').forEach((value) => {
      const item = ownItem(owner, value, parseAnnotation)
      if (!item || (docFilter && item.doc !== docFilter)) return
      const text = documentText(sharedDoc, item.doc)
      annotations.push({ ...item, resolved: text ? resolveAnchor(text, item.target) : null })
    })
    annotations.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
    return c.json({ owner, annotations })
  })

  return app
}

function wantsMarkdown(c: Context<ApiEnv>): boolean {
  const accept = c.req.header('accept') ?? ''
  return /text\/markdown|text\/plain/.test(accept) && !/application\/json/.test(accept)
}

/** JSON `{ text, title? }`, or the text itself as text/markdown or text/plain. */
async function putBody(c: Context<ApiEnv>): Promise<{ text: string; title?: string }> {
  const type = c.req.header('content-type') ?? ''
  if (/^text\/(markdown|plain)/.test(type)) {
    const text = await c.req.text()
    if (text.length > MAX_TEXT_CHARS) throw badRequest(`the text is ${text.length} characters; at most ${MAX_TEXT_CHARS}`)
    const title = c.req.query('title')
    if (title !== undefined && title.length > MAX_TITLE_LENGTH) throw badRequest(`title: at most ${MAX_TITLE_LENGTH} characters`)
    return { text, title }
  }
  return jsonBody(c, PutDocumentBody)
}

function answerWrite(c: Context<ApiEnv>, doc: Y.Doc, id: string, extra: Record<string, unknown>, status: 200 | 201 = 200) {
  const text = documentText(doc, id)
  const version = versionOf(doc)
  c.header('etag', etagOf(version))
  return c.json({ id, title: titleOf(doc, id), size: text?.length ?? 0, version, ...extra }, status)
}
