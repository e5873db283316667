// Per Yjs client id: what that client had seen when it wrote each clock (checkpoints where the
// knowledge grew). Used transitively: a writer that had integrated struct (c, k) is credited with
// what c had seen when writing k. That holds in Polyphony's star topology (every client syncs
// through the server, which forwards in order), see docs/conflicts.md "Assumptions".
import { EMPTY_KNOWLEDGE, withStruct, type Knowledge, type StructId } from '../../shared/conflicts/index.ts'

interface Checkpoints {
  clocks: number[]
  known: Knowledge[]
}

export class ClientKnowledge {
  #clients = new Map<number, Checkpoints>()

  /** What client had seen when writing `clock` (its own earlier clocks implied, not listed). */
  at(client: number, clock: number): Knowledge {
    const cps = this.#clients.get(client)
    if (cps === undefined) return EMPTY_KNOWLEDGE
    let lo = 0
    let hi = cps.clocks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cps.clocks[mid] <= clock) lo = mid + 1
      else hi = mid
    }
    return lo === 0 ? EMPTY_KNOWLEDGE : cps.known[lo - 1]
  }

  /** What anyone who has integrated struct `id` has provably seen. */
  having(id: StructId): Knowledge {
    return withStruct(this.at(id.client, id.clock), id)
  }

  /** Records the knowledge of the write at `clock` (clocks arrive ascending per client). */
  record(client: number, clock: number, known: Knowledge): void {
    let cps = this.#clients.get(client)
    if (cps === undefined) this.#clients.set(client, (cps = { clocks: [], known: [] }))
    if (cps.known[cps.known.length - 1] === known) return
    cps.clocks.push(clock)
    cps.known.push(known)
  }
}
