// The arbiter without a model: a plain rule, said plainly in its reasoning so nobody takes it for
// judgement. A person's version wins over an agent's (people own the text; agents assist);
// between several people, or several agents, what stands in the document now is kept (the
// choice that changes least); else the first party. A person approves it unless the workspace
// lets proposals of this kind apply themselves.

import type { ConflictParty, ConflictRecord } from '../../shared/conflicts/index.ts'
import { canonicalJson } from '../../shared/conflicts/index.ts'
import type { PrincipalKind } from '../../shared/model.ts'
import type { ConflictChoice } from '../sdk/Agent.ts'

export const HEURISTIC_ARBITER = 'heuristic arbiter (no model)'

export interface ArbiterProposal {
  choice: ConflictChoice
  reasoning: string
}

/** Null: nothing to propose (no party to pick, e.g. a claim race). */
export function heuristicProposal(
  record: ConflictRecord,
  kindOf: (principal: string) => PrincipalKind | undefined,
  nameOf: (principal: string) => string = (p) => p,
): ArbiterProposal | null {
  if (record.status !== 'open' || record.parties.length === 0) return null
  const people = record.parties.filter((p) => kindOf(p.principal) === 'human')
  const standing = (parties: ConflictParty[]) => parties.find((p) => standsNow(record, p))
  let pick: ConflictParty
  let why: string
  if (people.length === 1) {
    pick = people[0]
    why = `${nameOf(pick.principal)} is the only person among the parties; a person's version wins over an agent's.`
  } else if (people.length > 1) {
    pick = standing(people) ?? people[0]
    why = standing(people)
      ? `Several people disagree; ${nameOf(pick.principal)}'s version is what stands in the document now, so keeping it changes least.`
      : `Several people disagree and none of their versions stands now; ${nameOf(pick.principal)}'s is listed first.`
  } else {
    pick = standing(record.parties) ?? record.parties[0]
    why = standing(record.parties)
      ? `No person is a party; ${nameOf(pick.principal)}'s version is what stands in the document now, so keeping it changes least.`
      : `No person is a party and no version stands now; ${nameOf(pick.principal)}'s is listed first.`
  }
  const what = pick.deleted ? 'deleting the key' : `"${shorten(pick.value)}"`
  return {
    choice: { pick: pick.principal },
    reasoning: `${HEURISTIC_ARBITER}: keep ${nameOf(pick.principal)}'s version (${what}). ${why} This is a fixed rule, not a reading of the content: a person should check it.`,
  }
}

function standsNow(record: ConflictRecord, party: ConflictParty): boolean {
  if (record.current === undefined) return false
  const current = record.current as { deleted?: boolean } | null
  if (party.deleted) return current !== null && typeof current === 'object' && current.deleted === true
  return canonicalJson(record.current) === canonicalJson(party.value)
}

function shorten(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 77)}…` : text
}
