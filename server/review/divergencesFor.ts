// The divergence view of one shared document for one viewer: every namespace the viewer may
// read, its annotations on that document, grouped by stretch (shared/review).

import type * as Y from 'yjs'
import { readVocabulary, synonymIndex, type Divergences, type SynonymIndex } from '../../shared/review/index.ts'
import { ownItem, parseAnnotation, type Annotation } from '../../shared/annotations.ts'
import { namespaceRoom, sharedRoom, tasksRoom } from '../../shared/rooms.ts'
import { documentText, titleOf } from '../../shared/documents.ts'
import type { Principal } from '../../shared/model.ts'
import type { Registry } from '../registry/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import { readableNamespaces } from './readableNamespaces.ts'
import { groupYielding } from './groupYielding.ts'
import { readingsKey, readingsOnce } from './readingsCache.ts'

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
  onInvalid?: (owner: string, value: unknown) => void,
): Promise<Map<string, T[]>> {
  const byPrincipal = new Map<string, T[]>()
  for (const owner of readableNamespaces(deps.registry, workspace, viewer)) {
    const ns = await deps.core.room(namespaceRoom(workspace, owner))
    const items: T[] = []
    ns.doc.getMap(map).forEach((v) => {
      const item = ownItem(owner, v, parse)
      if (item) items.push(item)
      else if (!parse(v)) onInvalid?.(owner, v)
    })
    if (items.length > 0) byPrincipal.set(owner, items)
  }
  return byPrincipal
}

/**
 * Annotations (on every document) of each namespace `viewer` may read, keyed by owner, and per
 * document and owner how many values did not fit the schema (e.g. beyond the anchor limits).
 */
export async function readableAnnotations(
  deps: Deps,
  workspace: string,
  viewer: Principal,
): Promise<{ byPrincipal: Map<string, Annotation[]>; invalidOn: (doc: string) => Map<string, number> }> {
  const invalid = new Map<string, Map<string, number>>()
  const byPrincipal = await readableItems(deps, workspace, viewer, 'annotations', parseAnnotation, (owner, value) => {
    const doc = (value as { doc?: unknown } | null)?.doc
    if (typeof doc !== 'string') return
    const perOwner = invalid.get(doc) ?? new Map<string, number>()
    perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1)
    invalid.set(doc, perOwner)
  })
  return { byPrincipal, invalidOn: (doc) => invalid.get(doc) ?? new Map() }
}

/** The workspace vocabulary (kept in the server-written tasks room) as a synonym index for agreement. */
export async function workspaceSynonyms(deps: Deps, workspace: string): Promise<SynonymIndex> {
  return synonymIndex(readVocabulary((await deps.core.room(tasksRoom(workspace))).doc).vocabulary)
}

/** The shared text of document `doc` (its id), or null when there is no such document. */
export async function sharedText(deps: Deps, workspace: string, doc: string): Promise<Y.Text | null> {
  return documentText((await deps.core.room(sharedRoom(workspace))).doc, doc)
}

/** `showSuperseded` lists readings their authors replaced (marked), instead of hiding them. */
export async function divergencesFor(deps: Deps, workspace: string, doc: string, viewer: Principal, showSuperseded = false): Promise<Divergences | null> {
  const shared = (await deps.core.room(sharedRoom(workspace))).doc
  const text = documentText(shared, doc)
  if (!text) return null
  const key = (await readingsKey(deps.core, workspace, doc, readableNamespaces(deps.registry, workspace, viewer))) + (showSuperseded ? '+superseded' : '')
  const result = await readingsOnce(deps.core, key, async () => {
    const { byPrincipal, invalidOn } = await readableAnnotations(deps, workspace, viewer)
    // groupYielding keeps only the annotations on `doc`.
    return groupYielding(doc, text, byPrincipal, { invalid: invalidOn(doc), synonyms: await workspaceSynonyms(deps, workspace), showSuperseded })
  })
  return { ...result, title: titleOf(shared, doc) }
}
