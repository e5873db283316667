// The divergence view of one shared document for one viewer: every namespace the viewer may
// read, its annotations on that document, grouped by stretch (shared/review).

import * as Y from 'yjs'
import { groupDivergences, type Divergences } from '../../shared/review/index.ts'
import { parseAnnotation, type Annotation } from '../../shared/annotations.ts'
import { namespaceRoom, sharedRoom } from '../../shared/rooms.ts'
import type { Principal } from '../../shared/model.ts'
import type { Registry } from '../registry/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import { readableNamespaces } from './readableNamespaces.ts'

export async function divergencesFor(
  deps: { registry: Registry; core: SyncCore },
  workspace: string,
  doc: string,
  viewer: Principal,
): Promise<Divergences | null> {
  const shared = await deps.core.room(sharedRoom(workspace))
  const text = shared.doc.getMap('docs').get(doc)
  if (!(text instanceof Y.Text)) return null
  const byPrincipal = new Map<string, Annotation[]>()
  for (const owner of readableNamespaces(deps.registry, workspace, viewer)) {
    const ns = await deps.core.room(namespaceRoom(workspace, owner))
    const annotations: Annotation[] = []
    ns.doc.getMap('annotations').forEach((v) => {
      const a = parseAnnotation(v)
      // The namespace owner is the author, whatever a value claims.
      if (a && a.doc === doc && a.author === owner) annotations.push(a)
    })
    if (annotations.length > 0) byPrincipal.set(owner, annotations)
  }
  return groupDivergences(doc, text, byPrincipal)
}
