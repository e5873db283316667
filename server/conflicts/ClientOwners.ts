// Which principal wrote with each Yjs client id, per room, kept durably (a port): after log
// compaction the snapshot no longer says who wrote what, and the detector needs it to compare a
// write arriving after a restart (or a handover) with the values folded into the snapshot.
//
// Contract (test/conflicts/contract.ts, clause ids [COn]):
// - add() records the first principal seen for (room, client); a later add for the same id
//   changes nothing. Once its promise resolves the row is durable.
// - of() returns every owner recorded for a room; rooms are independent.

export interface ClientOwners {
  add(room: string, client: number, principal: string): Promise<void>
  of(room: string): Promise<Map<number, string>>
}
