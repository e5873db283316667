// Importing an export (exportWorkspace.ts) into an empty workspace: its documents (id, title,
// text), written as one attributed server write. The whole body is checked before anything is
// written, so hostile or broken input changes nothing. Namespaces, review decisions, tasks and
// conflicts are not imported (they belong to other principals or to the server's own logs):
// the answer lists what was skipped.

import { z } from 'zod'
import { createDocument, docsMap, MAX_TITLE_LENGTH } from '../../shared/documents.ts'
import { sharedRoom } from '../../shared/rooms.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import { EXPORT_FORMAT, EXPORT_VERSION } from './exportWorkspace.ts'

export const IMPORT_LIMITS = { documents: 1000, textChars: 1_000_000 } as const

const DocumentSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'a document id is 1 to 200 letters, digits, . _ - (starting with a letter or digit)'),
    title: z.string().max(MAX_TITLE_LENGTH, `a title has at most ${MAX_TITLE_LENGTH} characters`),
    text: z.string().max(IMPORT_LIMITS.textChars, `a text has at most ${IMPORT_LIMITS.textChars} characters`),
  })
  .strict()

export const ImportSchema = z
  .object({
    format: z.literal(EXPORT_FORMAT, { message: `not a Polyphony export: format must be "${EXPORT_FORMAT}"` }),
    version: z.literal(EXPORT_VERSION, { message: `only export version ${EXPORT_VERSION} can be imported` }),
    documents: z.array(DocumentSchema).max(IMPORT_LIMITS.documents, `at most ${IMPORT_LIMITS.documents} documents per import`),
  })
  .passthrough()
  .superRefine((value, ctx) => {
    const seen = new Set<string>()
    for (const d of value.documents) {
      if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: ['documents'], message: `document id ${d.id} appears twice: ids must be unique` })
      seen.add(d.id)
    }
  })

export type ImportBody = z.infer<typeof ImportSchema>

export type ImportResult = { imported: { documents: number }; skipped: string[] } | { notEmpty: string }

export async function importWorkspace(core: SyncCore, workspace: string, principal: string, body: ImportBody): Promise<ImportResult> {
  const room = await core.room(sharedRoom(workspace))
  await room.drain()
  if (docsMap(room.doc).size > 0) return { notEmpty: `workspace ${workspace} already has documents: import only into an empty workspace` }
  let existing = 0
  await room.writeAsServer(principal, 'import', (doc) => {
    // Checked again inside the write: a document created meanwhile must not be overwritten.
    existing = docsMap(doc).size
    if (existing > 0) return
    for (const d of body.documents) createDocument(doc, d.title, d.text, d.id)
  })
  if (existing > 0) return { notEmpty: `workspace ${workspace} got documents meanwhile: import only into an empty workspace` }
  const skipped = ['promotedNotes', 'namespaces', 'tasks', 'conflicts'].filter((key) => Array.isArray(body[key]) && (body[key] as unknown[]).length > 0)
  return { imported: { documents: body.documents.length }, skipped }
}
