// The divergence view of one shared document for one viewer: every namespace the viewer may
// read, its annotations on that document, grouped by stretch (shared/review).

import type * as Y from 'yjs'
import { groupDivergences, type Divergences } from '../../shared/review/index.ts'
import { ownItem, parseAnnotation, type Annotation } from '../../shared/annotations.ts'
import { namespaceRoom, sharedRoom } from '../../shared/rooms.ts'
import { documentText, titleOf } from '../../shared/documents.ts'
import type { Principal } from '../../shared/model.ts'
import type { Registry } from '../registry/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import { readableNamespaces } from './readableNamespaces.ts'

type Deps = { registry: Registry; core: SyncCore }

/**
 * Items of one map (`annotations`, `proposals`) in each namespace `viewer` may read, keyed by
 * owner. Values are untrusted JSON: `parse` drops what does not fit, and an item counts only
 * if its author is the namespace owner, whatever a value claims (ownItem).
 */
export async function readableItems<T extends { author: string }>(
  deps: Deps,
  workspace: string,
  viewer: Principal,
  map: 'annotations' | 'proposals',
  parse: (value: unknown) => T | null,
): Promise<Map<string, T[]>> {
  const byPrincipal = new Map<string, T[]>()
  for (const owner of readableNamespaces(deps.registry, workspace, viewer)) {
    const ns = await deps.core.room(namespaceRoom(workspace, owner))
    const items: T[] = []
    ns.doc.getMap(map).forEach((v) => {
      const item = ownItem(owner, v, parse)
      if (item) items.push(item)
    })
    if (items.length > 0) byPrincipal.set(owner, items)
  }
  return byPrincipal
}

/** Annotations (on every document) of each namespace `viewer` may read, keyed by owner. */
export function readableAnnotations(deps: Deps, workspace: string, viewer: Principal): Promise<Map<string, Annotation[]>> {
  return readableItems(deps, workspace, viewer, 'annotations', parseAnnotation)
}

/** The shared text of document `doc` (its id), or null when there is no such document. */
export async function sharedText(deps: Deps, workspace: string, doc: string): Promise<Y.Text | null> {
  return documentText((await deps.core.room(sharedRoom(workspace))).doc, doc)
}

export async function divergencesFor(deps: Deps, workspace: string, doc: string, viewer: Principal): Promise<Divergences | null> {
  const shared = (await deps.core.room(sharedRoom(workspace))).doc
  const text = documentText(shared, doc)
  if (!text) return null
  // groupDivergences keeps only the annotations on `doc`.
  return { ...groupDivergences(doc, text, await readableAnnotations(deps, workspace, viewer)), title: titleOf(shared, doc) }
}
