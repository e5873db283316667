// For team metrics: per shared document, how many stretches have one reading vs several,
// over the namespaces the viewer may read (the same grouping as the review view).

import * as Y from 'yjs'
import type { Principal } from '../../shared/model.ts'
import { sharedRoom } from '../../shared/rooms.ts'
import type { Registry } from '../registry/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import { READING_LIMITS, type ReadingsCount } from '../../shared/review/index.ts'
import { readableAnnotations, workspaceSynonyms } from './divergencesFor.ts'
import { groupYielding } from './groupYielding.ts'
import { readableNamespaces } from './readableNamespaces.ts'
import { readingsKey, readingsOnce } from './readingsCache.ts'

export interface ReadingsSummary {
  documents: Record<string, ReadingsCount>
  stretches: number
  severalReadings: number
  /** Share of stretches read by more than one principal (0 when nothing is annotated). */
  severalShare: number
  /** Annotations not counted: beyond the per-namespace cap, invalid, or past the time budget (shared/review/limits.ts). */
  skipped: number
}

export async function readingsSummary(deps: { registry: Registry; core: SyncCore }, workspace: string, viewer: Principal): Promise<ReadingsSummary> {
  const shared = await deps.core.room(sharedRoom(workspace))
  const names = [...shared.doc.getMap('docs').entries()].filter(([, v]) => v instanceof Y.Text).map(([k]) => k)
  const documents: ReadingsSummary['documents'] = {}
  let stretches = 0
  let several = 0
  // Each readable namespace is read once, then grouped per document.
  const owners = readableNamespaces(deps.registry, workspace, viewer)
  const { byPrincipal, invalidOn } = await readableAnnotations(deps, workspace, viewer)
  const synonyms = await workspaceSynonyms(deps, workspace)
  // One time budget for the whole workspace, not one per document.
  const deadline = performance.now() + READING_LIMITS.budgetMs
  let skipped = 0
  for (const name of names.sort()) {
    const text = shared.doc.getMap('docs').get(name)
    if (!(text instanceof Y.Text)) continue // removed while we yielded
    const key = await readingsKey(deps.core, workspace, name, owners)
    const grouped = await readingsOnce(deps.core, key, () => groupYielding(name, text, byPrincipal, { invalid: invalidOn(name), synonyms, deadline }))
    const summary = grouped.summary
    skipped += grouped.skipped.reduce((n, s) => n + s.count, 0)
    documents[name] = summary
    stretches += summary.stretches
    several += summary.severalReadings
  }
  return { documents, stretches, severalReadings: several, severalShare: stretches === 0 ? 0 : several / stretches, skipped }
}
