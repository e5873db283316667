// What a writer had seen when it wrote: a lower bound the detector proves from evidence.
//
//   sv: Yjs client id -> clock. The writer had integrated every struct (client, c) with c < sv[client].
//   dv: delete stream -> seq. The writer had integrated every delete operation (stream, s) with s <= dv[stream].
//
// A delete operation is "the text deletions one update brought", numbered per stream (a stream
// is one sender session of the server). Deletions consume no Yjs clock, hence the second vector.
// Knowledge values are immutable and share structure (vector.ts); merge returns one of its
// inputs when nothing is new.
import { Vector } from './vector.ts'

export interface Knowledge {
  readonly sv: Vector<number>
  readonly dv: Vector<string>
}

export interface StructId {
  client: number
  clock: number
}

export interface OpRef {
  stream: string
  seq: number
  /** A struct the same update carried, if any: whoever has it has the deletions too (updates apply whole). */
  struct?: StructId
}

export const EMPTY_KNOWLEDGE: Knowledge = { sv: Vector.empty(), dv: Vector.empty() }

export function seesStruct(k: Knowledge, id: StructId): boolean {
  return (k.sv.get(id.client) ?? 0) > id.clock
}

export function seesOp(k: Knowledge, op: OpRef): boolean {
  return (k.dv.get(op.stream) ?? 0) >= op.seq
}

/** Had seen a delete operation: by its number, or by a struct that travelled with it. */
export function seesDelete(k: Knowledge, op: OpRef): boolean {
  return seesOp(k, op) || (op.struct !== undefined && seesStruct(k, op.struct))
}

export function mergeKnowledge(a: Knowledge, b: Knowledge): Knowledge {
  if (a === b || (b.sv.isEmpty && b.dv.isEmpty)) return a
  if (a.sv.isEmpty && a.dv.isEmpty) return b
  const sv = a.sv.merge(b.sv)
  const dv = a.dv.merge(b.dv)
  if (sv === a.sv && dv === a.dv) return a
  if (sv === b.sv && dv === b.dv) return b
  return { sv, dv }
}

/** Knowledge plus "has integrated struct (client, clock)" (and so every earlier clock of client). */
export function withStruct(k: Knowledge, id: StructId): Knowledge {
  const sv = k.sv.with(id.client, id.clock + 1)
  return sv === k.sv ? k : { sv, dv: k.dv }
}

export function withOp(k: Knowledge, op: OpRef): Knowledge {
  const dv = k.dv.with(op.stream, op.seq)
  return dv === k.dv ? k : { sv: k.sv, dv }
}

/** `k` raised by a Yjs state vector (client -> next clock): only the entries it raises are stored. */
export function withStateVector(k: Knowledge, sv: ReadonlyMap<number, number>): Knowledge {
  const raised = k.sv.raisedBy(sv)
  return raised === k.sv ? k : { sv: raised, dv: k.dv }
}

export function knowledgeFromStateVector(sv: ReadonlyMap<number, number>): Knowledge {
  return withStateVector(EMPTY_KNOWLEDGE, sv)
}
