// For team metrics: per shared document, how many stretches have one reading vs several,
// over the namespaces the viewer may read (the same grouping as the review view).

import * as Y from 'yjs'
import type { Principal } from '../../shared/model.ts'
import { sharedRoom } from '../../shared/rooms.ts'
import type { Registry } from '../registry/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import { groupDivergences } from '../../shared/review/index.ts'
import { readableAnnotations } from './divergencesFor.ts'

export interface ReadingsSummary {
  documents: Record<string, { stretches: number; singleReading: number; severalReadings: number }>
  stretches: number
  severalReadings: number
  /** Share of stretches read by more than one principal (0 when nothing is annotated). */
  severalShare: number
}

export async function readingsSummary(deps: { registry: Registry; core: SyncCore }, workspace: string, viewer: Principal): Promise<ReadingsSummary> {
  const shared = await deps.core.room(sharedRoom(workspace))
  const names = [...shared.doc.getMap('docs').entries()].filter(([, v]) => v instanceof Y.Text).map(([k]) => k)
  const documents: ReadingsSummary['documents'] = {}
  let stretches = 0
  let several = 0
  // Each readable namespace is read once, then grouped per document.
  const annotations = await readableAnnotations(deps, workspace, viewer)
  for (const name of names.sort()) {
    const summary = groupDivergences(name, shared.doc.getMap('docs').get(name) as Y.Text, annotations).summary
    documents[name] = summary
    stretches += summary.stretches
    several += summary.severalReadings
  }
  return { documents, stretches, severalReadings: several, severalShare: stretches === 0 ? 0 : several / stretches }
}
