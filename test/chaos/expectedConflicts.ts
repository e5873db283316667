// The operational conflicts a scenario provokes on purpose (DESIGN.md §4). Every scenario
// returns this list; random token inserts never produce one (inserts between live tokens
// touch nothing another party deleted), so the list is exact, not a lower bound.
//
// Hook for the conflict log: when the server exposes GET /api/workspaces/:ws/conflicts, each
// scenario asserts that the conflicts it reports for the workspace are exactly these, matched
// on kind, room, location path and the set of parties.

export type ConflictKindExpected = 'map-key-overwrite' | 'overlapping-text-edit'

export interface ExpectedConflict {
  kind: ConflictKindExpected
  /** Room of the document, e.g. `w1/shared`. */
  room: string
  /** Map: key path from the root type (['meta', 'title']); text: ['docs', name]. */
  path: string[]
  /** The principals on either side, sorted. */
  parties: string[]
}

export function expectedConflict(kind: ConflictKindExpected, room: string, path: string[], parties: string[]): ExpectedConflict {
  if (new Set(parties).size < 2) throw new Error(`a conflict needs two distinct parties, got ${parties.join(', ')}`)
  return { kind, room, path, parties: [...parties].sort() }
}

export function describeConflicts(list: ExpectedConflict[]): string {
  if (list.length === 0) return 'none'
  return list.map((c) => `${c.kind} ${c.room} ${c.path.join('.')} [${c.parties.join(', ')}]`).join('; ')
}

/** What a scenario hands back: the conflicts the conflict log must end up holding. */
export interface ScenarioOutcome {
  expectedConflicts: ExpectedConflict[]
}
