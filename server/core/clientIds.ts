// Who owns a Yjs client id in a room: the principal that first sent structs under it.
// Blame and diffs name the author of each character by its client id, so the mapping must be
// trustworthy: a client id another principal already wrote under is refused at ingest (a
// second principal writing under it would put words in the first one's mouth). Only *new*
// structs claim an id: a sync step 2 relaying what the room already has claims nothing.
//
// The store is a port (SqliteClientIds embedded, PostgresClientIds shared by every instance).
// Contract (test/clientIds/contract.ts, clause ids [CIn]):
// - claim() records `principal` for every client id not owned yet, or, when one is owned by
//   another principal, records nothing and returns the refusal (all or nothing);
// - claiming ids one already owns is allowed and changes nothing; rooms are independent;
// - exact across instances: of two concurrent claims of one id by different principals, on
//   any instances, exactly one succeeds.

import { SERVER_PRINCIPAL } from '../../shared/model.ts'

/** Owner recorded for the client ids the server writes under (resolutions, restores, tasks). */
export const SERVER_WRITER = SERVER_PRINCIPAL

export interface ClientIdStore {
  /** Every recorded owner of the room's client ids. */
  owners(room: string): Promise<Map<number, string>>
  /** Null once `principal` owns every one of `clients`; else why not (nothing recorded then). */
  claim(room: string, principal: string, clients: readonly number[], at: number): Promise<string | null>
}

/** The refusal for a client id another principal owns: what to do about it. */
export function foreignClientId(client: number): string {
  return `client id ${client} belongs to another writer: use a new Y.Doc per principal`
}

/** Client ids under which `ends` (client → clock after the update) adds structs the room lacks. */
export function clientsWithNewStructs(ends: Map<number, number>, stateOf: (client: number) => number): number[] {
  const out: number[] = []
  for (const [client, end] of ends) if (end > stateOf(client)) out.push(client)
  return out
}
