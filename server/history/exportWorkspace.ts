// A workspace as one JSON document: what the caller may read and nothing else. Documents (id,
// title, text) and promoted notes of the shared room; annotations, proposals and notes of each
// namespace the access policy lets the caller read, with the review decisions about them;
// tasks; operational conflicts. Room values are untrusted JSON: only what parses is exported.

import * as z from 'zod'
import type { Principal, Workspace } from '../../shared/model.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import type { Registry } from '../registry/index.ts'
import type { ConflictService } from '../conflicts/index.ts'
import type { TaskStore } from '../coord/TaskStore.ts'
import { documentText, listDocuments } from '../../shared/documents.ts'
import { NAMESPACE_MAPS, parseAnnotation, parseNote, parseProposal } from '../../shared/annotations.ts'
import { readReviewState } from '../../shared/review/index.ts'
import { namespaceRoom, reviewRoom, sharedRoom } from '../../shared/rooms.ts'
import { readableNamespaces } from '../review/readableNamespaces.ts'

/** A promoted annotation in the shared `notes` map (server/review/promotedNote.ts), as exported. */
const PromotedNoteSchema = z.object({
  id: z.string(),
  kind: z.literal('promoted-annotation'),
  doc: z.string(),
  quote: z.string(),
  comment: z.string(),
  label: z.string().nullable(),
  severity: z.string().nullable(),
  author: z.string(),
  promotedBy: z.string(),
  promotedAt: z.number(),
})
const parsePromotedNote = (value: unknown) => PromotedNoteSchema.safeParse(value).data ?? null

export const EXPORT_FORMAT = 'polyphony-workspace-export'
export const EXPORT_VERSION = 1

export interface ExportDeps {
  registry: Registry
  core: SyncCore
  conflicts: ConflictService
  tasks: TaskStore
}

export async function exportWorkspace(deps: ExportDeps, workspace: Workspace, viewer: Principal, now = Date.now()) {
  const shared = (await deps.core.room(sharedRoom(workspace.id))).doc
  const documents = listDocuments(shared).map(({ id, title }) => ({ id, title, text: documentText(shared, id)?.toString() ?? '' }))
  const promotedNotes = valuesOf(shared.getMap('notes'), parsePromotedNote)
  const namespaces = []
  for (const owner of readableNamespaces(deps.registry, workspace.id, viewer)) {
    const ns = (await deps.core.room(namespaceRoom(workspace.id, owner))).doc
    const review = readReviewState((await deps.core.room(reviewRoom(workspace.id, owner))).doc)
    namespaces.push({
      owner,
      annotations: valuesOf(ns.getMap(NAMESPACE_MAPS.annotations), parseAnnotation)
        .filter((a) => a.author === owner)
        .map(withoutSnapshot),
      proposals: valuesOf(ns.getMap(NAMESPACE_MAPS.proposals), parseProposal)
        .filter((p) => p.author === owner)
        .map(withoutSnapshot),
      notes: valuesOf(ns.getMap(NAMESPACE_MAPS.notes), parseNote).filter((n) => n.author === owner),
      review: {
        decisions: Object.fromEntries(review.decisions),
        replies: Object.fromEntries(review.replies),
        proposals: Object.fromEntries(review.proposals),
      },
    })
  }
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now,
    exportedBy: viewer.id,
    workspace: { id: workspace.id, title: workspace.title, visibility: workspace.visibility },
    documents,
    promotedNotes,
    namespaces,
    tasks: await deps.tasks.list(workspace.id),
    conflicts: await deps.conflicts.list(workspace.id, { status: 'all' }),
  }
}

/**
 * An item without its anchor's recorded snapshot ("as read", up to 16 KB each): it reads this
 * server's room history, so it means nothing elsewhere, and it would dominate an export's size.
 */
export function withoutSnapshot<T extends { target?: { snapshot?: string } }>(item: T): T {
  if (!item.target?.snapshot) return item
  const { snapshot: _snapshot, ...target } = item.target
  return { ...item, target }
}

function valuesOf<T>(map: { forEach(f: (value: unknown) => void): void }, parse: (value: unknown) => T | null): T[] {
  const out: T[] = []
  map.forEach((value) => {
    const parsed = parse(value)
    if (parsed) out.push(parsed)
  })
  return out
}
