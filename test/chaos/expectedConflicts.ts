// The operational conflicts a scenario provokes on purpose (DESIGN.md §4). Every scenario
// returns this list; random token inserts never produce one (inserts between live tokens
// touch nothing another party deleted), so the list is exact, not a lower bound.
//
// Each scenario asserts with expectConflicts() that the server's conflict log for the
// workspace holds exactly these, matched on kind, room, location path and the set of parties.

import { httpJson } from '../helpers/http.ts'
import { waitFor } from '../helpers/wait.ts'

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

/** Asserts the server's conflict log for w1 holds exactly `expected` (kind, room, path, parties). */
export async function expectConflicts(baseUrl: string, ownerToken: string, expected: ExpectedConflict[]): Promise<void> {
  const key = (c: ExpectedConflict) => `${c.kind} ${c.room} ${c.path.join('.')} [${c.parties.join(', ')}]`
  const want = expected.map(key).sort()
  let got: string[] = []
  // Detection happens as updates integrate; the last ones may still be in flight.
  await waitFor(
    async () => {
      const res = await httpJson<{
        conflicts: Array<{ kind: string; doc: string; location: { kind: string; path?: string[]; taskId?: string }; parties: Array<{ principal: string }> }>
      }>(`${baseUrl}/api/workspaces/w1/conflicts?status=all`, { token: ownerToken })
      got = res.json.conflicts
        .map(
          (c) =>
            `${c.kind} ${c.doc} ${(c.location.path ?? [c.location.taskId ?? '']).join('.')} [${c.parties
              .map((p) => p.principal)
              .sort()
              .join(', ')}]`,
        )
        .sort()
      return JSON.stringify(got) === JSON.stringify(want)
    },
    `conflict log to hold exactly: ${want.join('; ') || 'none'}`,
    10_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n  but it holds: ${got.join('; ') || 'none'}`)
  })
}
