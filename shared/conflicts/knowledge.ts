// What a writer had seen when it wrote: a lower bound the detector proves from evidence.
//
//   sv: Yjs client id -> clock. The writer had integrated every struct (client, c) with c < sv[client].
//   dv: delete stream -> seq. The writer had integrated every delete operation (stream, s) with s <= dv[stream].
//
// A delete operation is "the text deletions one update brought", numbered per stream (a stream
// is one sender session of the server). Deletions consume no Yjs clock, hence the second vector.
// Knowledge values are immutable; merge returns one of its inputs when nothing is new.

export interface Knowledge {
  readonly sv: ReadonlyMap<number, number>
  readonly dv: ReadonlyMap<string, number>
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

export const EMPTY_KNOWLEDGE: Knowledge = { sv: new Map(), dv: new Map() }

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

function mergeVector<K>(a: ReadonlyMap<K, number>, b: ReadonlyMap<K, number>): ReadonlyMap<K, number> {
  let out: Map<K, number> | null = null
  for (const [key, value] of b) {
    if ((a.get(key) ?? -1) >= value) continue
    out ??= new Map(a)
    out.set(key, value)
  }
  return out ?? a
}

export function mergeKnowledge(a: Knowledge, b: Knowledge): Knowledge {
  if (a === b || (b.sv.size === 0 && b.dv.size === 0)) return a
  const sv = mergeVector(a.sv, b.sv)
  const dv = mergeVector(a.dv, b.dv)
  return sv === a.sv && dv === a.dv ? a : { sv, dv }
}

/** Knowledge plus "has integrated struct (client, clock)" (and so every earlier clock of client). */
export function withStruct(k: Knowledge, id: StructId): Knowledge {
  if (seesStruct(k, id)) return k
  const sv = new Map(k.sv)
  sv.set(id.client, id.clock + 1)
  return { sv, dv: k.dv }
}

export function withOp(k: Knowledge, op: OpRef): Knowledge {
  if (seesOp(k, op)) return k
  const dv = new Map(k.dv)
  dv.set(op.stream, op.seq)
  return { sv: k.sv, dv }
}

export function knowledgeFromStateVector(sv: Map<number, number>): Knowledge {
  return { sv, dv: new Map() }
}
