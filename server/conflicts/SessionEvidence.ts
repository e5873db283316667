// What the detector can prove each sender session had seen: its own earlier writes and the
// deliveries it acknowledged (a probe — sync step 1 — answered after them). Sent is not seen:
// a delivery counts only once a later probe is answered. Acknowledgements outlive their session
// as relay evidence for the principal's other sessions.
import { EMPTY_KNOWLEDGE, mergeKnowledge, type Knowledge } from '../../shared/conflicts/index.ts'
import type { DeleteOp } from './records.ts'

/** What had been sent to a session when a probe (sync step 1) went out after it. */
export interface Probe {
  k: Knowledge
  /** The integration number the server had reached then. */
  g: number
}

export class SessionEvidence {
  /** Per session: what it sent (its own writes) and what it acknowledged having received. */
  #known = new Map<string, Knowledge>()
  #streamSeq = new Map<string, number>()
  /** Per session: what the server had sent it at its latest delivery (not yet proof it was seen). */
  #delivered = new Map<string, Probe>()
  #probes = new Map<string, Probe[]>()
  /** principal -> session -> integration number the session acknowledged (relay evidence). */
  #ackedG = new Map<string, Map<string, number>>()

  /**
   * Per session: the knowledge of the probe it last acknowledged. Server knowledge only grows
   * and a session answers its probes in the order they went out, so a later probe's knowledge
   * covers an earlier one's: a session that still knows exactly its last acknowledged probe's
   * knowledge (it wrote nothing since) knows exactly the next one's, with no merge to compute.
   */
  #ackedK = new Map<string, Knowledge>()
  /** The latest delivery: every session a batch goes to shares it. */
  #lastDelivery: Probe = { k: EMPTY_KNOWLEDGE, g: 0 }

  /** Everything integrated so far (`k`, up to integration `g`) has now been sent to `session`. */
  delivered(session: string, k: Knowledge, g: number): void {
    if (this.#lastDelivery.k !== k || this.#lastDelivery.g !== g) this.#lastDelivery = { k, g }
    this.#delivered.set(session, this.#lastDelivery)
  }

  /** A probe went to `session` after its latest delivery. */
  probed(session: string): void {
    let fifo = this.#probes.get(session)
    if (fifo === undefined) this.#probes.set(session, (fifo = []))
    fifo.push(this.#delivered.get(session) ?? { k: EMPTY_KNOWLEDGE, g: 0 })
  }

  /** `session` answered its oldest outstanding probe: it had integrated what was delivered before it. */
  acknowledged(session: string, principal: string): void {
    const probe = this.#probes.get(session)?.shift()
    if (probe === undefined) return
    const known = this.#known.get(session)
    this.#known.set(session, known === undefined || known === this.#ackedK.get(session) ? probe.k : mergeKnowledge(known, probe.k))
    this.#ackedK.set(session, probe.k)
    let sessions = this.#ackedG.get(principal)
    if (sessions === undefined) this.#ackedG.set(principal, (sessions = new Map()))
    sessions.set(session, Math.max(probe.g, sessions.get(session) ?? 0))
  }

  /** Forgets per-session knowledge (what it acknowledged stays, for relay evidence). */
  close(session: string): void {
    this.#known.delete(session)
    this.#ackedK.delete(session)
    this.#delivered.delete(session)
    this.#probes.delete(session)
  }

  /** What `session` is proven to have seen. */
  knowledge(session: string): Knowledge {
    return this.#known.get(session) ?? EMPTY_KNOWLEDGE
  }

  setKnowledge(session: string, k: Knowledge): void {
    this.#known.set(session, k)
  }

  /** The probe a sync reply from `session` answers now (its oldest outstanding one). */
  answering(session: string): Probe | undefined {
    return this.#probes.get(session)?.[0]
  }

  /** The next delete-operation number of `session`'s stream. */
  nextSeq(session: string): number {
    const seq = (this.#streamSeq.get(session) ?? 0) + 1
    this.#streamSeq.set(session, seq)
    return seq
  }

  /** Another session of `principal` acknowledged a delivery that included `first`. */
  relayed(first: DeleteOp, principal: string, session: string): boolean {
    for (const [s, upTo] of this.#ackedG.get(principal) ?? []) if (s !== session && upTo >= first.g) return true
    return false
  }
}
