// Importing an export (exportWorkspace.ts) into a new or empty workspace: documents and promoted
// notes into the shared room, each namespace's annotations, proposals and notes into its room,
// the review decisions and replies about them into its review room, and tasks into the task
// store. The body is checked whole first (importSchema.ts), then the target: every namespace
// owner must be a member, and nothing may be there yet (documents, tasks, namespace or review
// content). Only then is anything written, shared room first (it re-checks emptiness inside its
// write), so a refused import changes nothing. Conflicts are the server's own log and are not
// imported; proposal decisions lose the Yjs ids of the edit they applied (those name the source
// server's items), and anchors lose their recorded snapshot (it reads the source's history; exports
// leave it out already, older ones may hold it).
// Imported items keep their relative positions and quotes: readers re-anchor them by quote.

import type * as Y from 'yjs'
import { createDocument, docsMap } from '../../shared/documents.ts'
import { NAMESPACE_MAPS } from '../../shared/annotations.ts'
import { REVIEW_MAPS } from '../../shared/review/index.ts'
import { namespaceRoom, reviewRoom, sharedRoom } from '../../shared/rooms.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import type { Registry } from '../registry/index.ts'
import type { TaskStore } from '../coord/TaskStore.ts'
import type { ImportBody } from './importSchema.ts'
import { withoutSnapshot } from './exportWorkspace.ts'

export { IMPORT_LIMITS, ImportSchema, type ImportBody } from './importSchema.ts'

export interface ImportDeps {
  core: SyncCore
  registry: Registry
  tasks: TaskStore
}

export interface Imported {
  documents: number
  promotedNotes: number
  namespaces: number
  annotations: number
  proposals: number
  notes: number
  decisions: number
  replies: number
  tasks: number
}

export type ImportResult = { imported: Imported; skipped: string[] } | { notEmpty: string } | { invalid: string }

export async function importWorkspace(deps: ImportDeps, workspace: string, principal: string, body: ImportBody): Promise<ImportResult> {
  const strangers = body.namespaces.map((n) => n.owner).filter((owner) => deps.registry.roleOf(workspace, owner) === null)
  if (strangers.length > 0) {
    return { invalid: `namespace owners ${strangers.slice(0, 10).join(', ')} are not members of ${workspace}: add them first (polyphony admin), then import again` }
  }
  const shared = await deps.core.room(sharedRoom(workspace))
  await shared.drain()
  if (docsMap(shared.doc).size > 0) return { notEmpty: `workspace ${workspace} already has documents: import only into a new or empty workspace` }
  if ((await deps.tasks.list(workspace)).length > 0) return { notEmpty: `workspace ${workspace} already has tasks: import only into a new or empty workspace` }
  for (const ns of body.namespaces) {
    const held = await deps.core.room(namespaceRoom(workspace, ns.owner))
    const review = await deps.core.room(reviewRoom(workspace, ns.owner))
    if (hasContent(held.doc, Object.values(NAMESPACE_MAPS)) || hasContent(review.doc, Object.values(REVIEW_MAPS))) {
      return { notEmpty: `${ns.owner}'s namespace in ${workspace} already has readings or decisions: import only into a new or empty workspace` }
    }
  }

  let raced = false
  await shared.writeAsServer(principal, 'import', (doc) => {
    // Checked again inside the write: a document created meanwhile must not be overwritten.
    if (docsMap(doc).size > 0) return void (raced = true)
    for (const d of body.documents) createDocument(doc, d.title, d.text, d.id)
    const notes = doc.getMap('notes')
    for (const n of body.promotedNotes) notes.set(n.id, n)
  })
  if (raced) return { notEmpty: `workspace ${workspace} got documents meanwhile: import only into a new or empty workspace` }

  if (body.tasks.length > 0 && !(await deps.tasks.importTasks(workspace, body.tasks, principal))) {
    return { notEmpty: `workspace ${workspace} got tasks meanwhile: the documents were imported, the rest was not` }
  }
  for (const ns of body.namespaces) {
    const room = await deps.core.room(namespaceRoom(workspace, ns.owner))
    await room.writeAsServer(principal, 'import', (doc) => {
      const put = (map: string, items: Array<{ id: string; target?: { snapshot?: string } }>) => {
        for (const item of items) doc.getMap(map).set(item.id, withoutSnapshot(item))
      }
      put(NAMESPACE_MAPS.annotations, ns.annotations)
      put(NAMESPACE_MAPS.proposals, ns.proposals)
      put(NAMESPACE_MAPS.notes, ns.notes)
    })
    const review = await deps.core.room(reviewRoom(workspace, ns.owner))
    await review.writeAsServer(principal, 'import', (doc) => {
      for (const [key, d] of Object.entries(ns.review.decisions)) doc.getMap(REVIEW_MAPS.decisions).set(key, d)
      for (const list of Object.values(ns.review.replies)) for (const r of list) doc.getMap(REVIEW_MAPS.replies).set(r.id, r)
      for (const [key, { applied: _applied, ...decision }] of Object.entries(ns.review.proposals)) doc.getMap(REVIEW_MAPS.proposals).set(key, decision)
    })
  }

  const count = (f: (n: ImportBody['namespaces'][number]) => number) => body.namespaces.reduce((sum, n) => sum + f(n), 0)
  return {
    imported: {
      documents: body.documents.length,
      promotedNotes: body.promotedNotes.length,
      namespaces: body.namespaces.length,
      annotations: count((n) => n.annotations.length),
      proposals: count((n) => n.proposals.length),
      notes: count((n) => n.notes.length),
      decisions: count((n) => Object.keys(n.review.decisions).length + Object.keys(n.review.proposals).length),
      replies: count((n) => Object.values(n.review.replies).flat().length),
      tasks: body.tasks.length,
    },
    skipped: Array.isArray(body.conflicts) && body.conflicts.length > 0 ? ['conflicts'] : [],
  }
}

function hasContent(doc: Y.Doc, maps: string[]): boolean {
  return maps.some((name) => doc.getMap(name).size > 0)
}
