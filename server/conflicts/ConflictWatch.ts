// The conflict detector as a room extension for `shared` rooms: every stored update goes
// through it, it is told what each connection was sent and acknowledged, and its findings go
// to `report`. At load it replays the stored log (after the snapshot) to re-learn who wrote
// what; the conflict log is the truth for what was found before, so replay reports nothing
// (replay has less evidence than the live run had and must not invent records).

import { conflictSpan } from '../telemetry/ingestSpans.ts'
import * as Y from 'yjs'
import type { RoomExtension } from '../core/RoomExtension.ts'
import type { CausalMeta, Writer } from '../core/writer.ts'
import type { RoomState } from '../storage/DocumentStorage.ts'
import type { ConflictRecord } from '../../shared/conflicts/index.ts'
import type { TransactionOrigin } from '../../shared/origin.ts'
import { ConflictDetector } from './ConflictDetector.ts'
import { SCHEMA_VERSION, SERVER_PRINCIPAL } from '../../shared/model.ts'
import { conflictId, sortParties } from '../../shared/conflicts/index.ts'

/** A writer set meta.schemaVersion to a version this server does not understand. */
function schemaMismatch(room: string, principal: string, found: unknown): ConflictRecord {
  const location = { kind: 'schema' as const, expected: SCHEMA_VERSION, found }
  const parties = sortParties([
    { principal: SERVER_PRINCIPAL, value: SCHEMA_VERSION },
    { principal, value: found },
  ])
  return { id: conflictId('schema-mismatch', room, location, parties), kind: 'schema-mismatch', doc: room, location, parties, status: 'open', detectedAt: Date.now() }
}

export class ConflictWatch implements RoomExtension {
  readonly gc = false
  readonly wantsAcks = true
  #detector: ConflictDetector | null = null

  constructor(
    private readonly room: string,
    /** `writer`: the principal whose update produced the records (charged for them, see ConflictBudget). */
    /** `doc`: the room's document, to show live listeners what stands now. */
    private readonly report: (records: ConflictRecord[], writer: string, doc: Y.Doc) => Promise<void>,
    private readonly onReplayError: (err: unknown, seq: number) => void,
    /** Durable client id → principal, so values folded into a snapshot keep their writer. */
    private readonly owners?: { known: () => Promise<Map<number, string>>; learned: (client: number, principal: string) => Promise<void> },
  ) {}

  /** Owners the detector learned that are not known to be stored yet. */
  readonly #unsaved = new Map<number, string>()
  /** Reports of found conflicts still being stored. */
  readonly #reporting = new Set<Promise<void>>()

  async load(doc: Y.Doc, state: RoomState): Promise<void> {
    // Read before anything is applied: the rest of the load is synchronous, as integrating is.
    const known = state.snapshot && this.owners ? await this.owners.known() : new Map<number, string>()
    const detector = (this.#detector = new ConflictDetector(doc, { docName: this.room, onOwner: (client, principal) => this.#unsaved.set(client, principal) }))
    const origin: TransactionOrigin = { source: 'storage' }
    // The snapshot's map values are indexed with their writers: a later write is compared with
    // them (what each writer had seen is unknown there: the structure alone speaks for them).
    if (state.snapshot) {
      Y.applyUpdate(doc, state.snapshot, origin)
      detector.indexExisting(known)
    }
    for (const u of state.updates) {
      try {
        const message = u.message === 'sync' ? 'sync' : 'update'
        detector.integrate(u.data, { principal: u.principal, session: `stored:${u.principal}`, message, knowsAll: u.message === 'server', stored: true, origin })
      } catch (err) {
        this.onReplayError(err, u.seq)
      }
    }
    await this.unsettled()
  }

  /**
   * Conflicts found and owners learned, stored: the write queue waits for this before it
   * acknowledges or compacts (replay reports nothing, so a record must be stored before the
   * update that found it is acknowledged; a compacted snapshot no longer names its writers).
   * Storing an owner twice is harmless (the first principal stays), so calls may overlap.
   */
  unsettled(): Promise<void> | null {
    const owners = this.owners
    const pending = [...this.#reporting]
    if (owners && this.#unsaved.size > 0) {
      const batch = [...this.#unsaved]
      pending.push(
        Promise.all(batch.map(([client, principal]) => owners.learned(client, principal))).then(() => {
          for (const [client, principal] of batch) if (this.#unsaved.get(client) === principal) this.#unsaved.delete(client)
        }),
      )
    }
    return pending.length === 0 ? null : Promise.all(pending).then(() => {})
  }

  integrate(doc: Y.Doc, update: Uint8Array, writer: Writer, causal?: CausalMeta): void {
    const meta = doc.getMap('meta')
    const before = meta.get('schemaVersion')
    const found = this.#need().integrate(update, writer, causal)
    const after = meta.get('schemaVersion')
    if (after !== before && after !== undefined && after !== SCHEMA_VERSION) found.push(schemaMismatch(this.room, writer.principal, after))
    for (const record of found) conflictSpan(record)
    if (found.length === 0) return
    const stored = this.report(found, writer.principal, doc)
    this.#reporting.add(stored)
    const done = () => void this.#reporting.delete(stored)
    stored.then(done, done)
  }

  delivered(session: string, principal: string): void {
    this.#detector?.delivered(session, principal)
  }

  probed(session: string): void {
    this.#detector?.probed(session)
  }

  acknowledged(session: string, principal: string): void {
    this.#detector?.acknowledged(session, principal)
  }

  sessionClosed(session: string): void {
    this.#detector?.closeSession(session)
  }

  destroy(): void {
    this.#detector = null
  }

  #need(): ConflictDetector {
    if (!this.#detector) throw new Error(`conflict watch on ${this.room} used before load`)
    return this.#detector
  }
}
