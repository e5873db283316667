// Operational conflicts for the whole server: the durable log, metrics, live events, claim
// races from the coordinator, and resolution (an attributed write of the chosen value).

import { EventEmitter } from 'node:events'
import type * as Y from 'yjs'
import type { Logger } from 'pino'
import type { ServerMetrics } from '../metrics.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import type { RoomExtension } from '../core/RoomExtension.ts'
import { parseRoom, sharedRoom } from '../../shared/rooms.ts'
import { conflictId, sortParties, type ConflictRecord, type ResolutionProposal, type TypedValue } from '../../shared/conflicts/index.ts'
import { listAll, type ConflictLog, type Page, type PageOptions, type ProposeResult, type StatusFilter } from './ConflictLog.ts'
import { currentOf } from './currentValue.ts'
import type { ClientOwners } from './ClientOwners.ts'
import type { ClaimRace } from '../../shared/coord/index.ts'
import { ConflictWatch } from './ConflictWatch.ts'
import { applyResolution } from './applyResolution.ts'
import { ConflictBudget } from './ConflictBudget.ts'
import { SERVER_PRINCIPAL } from '../../shared/model.ts'
import { DomainError } from '../errors.ts'

/** A refused claim counts as a race only this soon after the winning claim. */
export const CLAIM_RACE_WINDOW_MS = 2_000

export type Choice = { pick: string } | { value: unknown }

export interface ConflictServiceOptions {
  /** The durable log (SqliteConflictLog, or PostgresConflictLog shared by every instance). */
  log: ConflictLog
  /** Durable client id owners for the detector (SqliteClientOwners or PostgresClientOwners). */
  owners: ClientOwners
  metrics: ServerMetrics
  logger: Logger
  budget?: ConflictBudget
}

export class ConflictService extends EventEmitter<{ conflict: [string, ConflictRecord] }> {
  readonly log: ConflictLog
  #owners: ClientOwners
  #core: SyncCore | null = null
  /** Records are stored one report after another, in the order the detector found them. */
  #recording: Promise<void> = Promise.resolve()

  readonly #budget: ConflictBudget

  constructor(private readonly opts: ConflictServiceOptions) {
    super()
    this.setMaxListeners(0)
    this.log = opts.log
    this.#budget = opts.budget ?? new ConflictBudget()
    this.#owners = opts.owners
    // Records another instance stored, proposed on or resolved: announced here too (re-read, as stored).
    this.log.onChanged((ids) => void this.#announceStored(ids))
  }

  async #announceStored(ids: string[]): Promise<void> {
    for (const id of ids) {
      try {
        const record = await this.log.get(id)
        const workspace = record && parseRoom(record.doc)?.workspace
        if (record && workspace) this.emit('conflict', workspace, record)
      } catch (err) {
        this.opts.logger.warn({ err, conflict: id }, 'could not read a conflict another instance stored')
      }
    }
  }

  /** The room extension for SyncCore: shared rooms get the detector. */
  extensionFor = (room: string): RoomExtension | undefined => {
    const ref = parseRoom(room)
    if (ref?.kind !== 'shared') return undefined
    return new ConflictWatch(
      room,
      (records, writer, doc) => this.record(ref.workspace, records, writer, doc),
      (err, seq) => this.opts.logger.warn({ err, room, seq }, 'conflict replay skipped an update'),
      { known: () => this.#owners.of(room), learned: (client, principal) => this.#owners.add(room, client, principal) },
    )
  }

  attach(core: SyncCore): void {
    this.#core = core
  }

  /**
   * Stores new and changed records and tells live listeners (with what stands now, given `doc`).
   * `writer` is the principal whose update produced them; new records are charged to it (or, when
   * unknown, to every party: kept while any has budget left); records already in the log are free.
   * Reports are stored one after another. Resolves once stored and announced; rejects (after
   * logging) if they could not be stored: the detector's room then acknowledges nothing of the
   * batch that found them.
   */
  record(workspace: string, records: ConflictRecord[], writer?: string, doc?: Y.Doc): Promise<void> {
    const next = this.#recording.then(() => this.#record(workspace, records, writer, doc))
    this.#recording = next.catch((err: unknown) => this.opts.logger.error({ err, workspace, conflicts: records.map((r) => r.id) }, 'could not store conflict records'))
    return next
  }

  async #record(workspace: string, records: ConflictRecord[], writer?: string, doc?: Y.Doc): Promise<void> {
    const admitted: ConflictRecord[] = []
    for (const r of records) if ((await this.log.get(r.id)) !== null || this.#admit(r, writer)) admitted.push(r)
    for (const r of await this.log.add(workspace, admitted)) {
      this.opts.metrics.conflicts.inc({ kind: r.kind })
      this.opts.logger.info({ workspace, conflict: r.id, kind: r.kind, parties: r.parties.map((p) => p.principal) }, 'conflict detected')
      this.emit('conflict', workspace, doc ? { ...r, ...currentOf(doc, r) } : r)
    }
  }

  #admit(record: ConflictRecord, writer: string | undefined): boolean {
    const charged = writer !== undefined && writer !== SERVER_PRINCIPAL ? [writer] : record.parties.map((p) => p.principal).filter((p) => p !== SERVER_PRINCIPAL)
    if (charged.length === 0) return true
    let admitted = false
    for (const principal of charged) {
      const verdict = this.#budget.charge(record.doc, principal)
      if (verdict === 'ok') admitted = true
      else if (verdict === 'over-first') {
        const { maxPerWindow, windowMs } = this.#budget.limits
        this.opts.logger.warn(
          { room: record.doc, principal, maxPerWindow, windowMs },
          'conflict budget spent: further new conflicts caused by this principal in this room are dropped until the window ends',
        )
      }
    }
    if (!admitted) this.opts.metrics.conflictsSuppressed.inc({ kind: record.kind })
    return admitted
  }

  onClaimRace(race: ClaimRace): void {
    if (race.heldForMs > CLAIM_RACE_WINDOW_MS || race.loser === race.holder) return
    const location = { kind: 'task' as const, taskId: race.taskId }
    const parties = sortParties([
      { principal: race.holder, value: { outcome: 'won', fencingToken: race.holderFencingToken } },
      { principal: race.loser, value: { outcome: 'refused', againstFencingToken: race.holderFencingToken } },
    ])
    const doc = sharedRoom(race.workspace)
    this.record(race.workspace, [
      // Already decided by the server (one claim won): an event to see, nothing to resolve.
      { id: conflictId('claim-race', doc, location, parties), kind: 'claim-race', doc, location, parties, status: 'decided', detectedAt: race.at },
    ]).catch(() => {}) // logged by record(); the claim itself stands either way
  }

  list(workspace: string, opts: { status?: StatusFilter; doc?: string }): Promise<ConflictRecord[]> {
    return listAll(this.log, workspace, opts)
  }

  /** One record of this workspace, or null. */
  async get(workspace: string, id: string): Promise<ConflictRecord | null> {
    const record = await this.log.get(id)
    return record && parseRoom(record.doc)?.workspace === workspace ? record : null
  }

  /** One page of records, each with what currently stands at its location. */
  async page(workspace: string, opts: PageOptions): Promise<Page> {
    const page = await this.log.page(workspace, opts)
    const docs = new Map<string, Y.Doc | null>()
    const conflicts: ConflictRecord[] = []
    for (const r of page.conflicts) {
      if (r.location.kind === 'task' || !this.#core) {
        conflicts.push(r)
        continue
      }
      if (!docs.has(r.doc))
        docs.set(
          r.doc,
          await this.#core.room(r.doc).then(
            (room) => room.doc,
            () => null,
          ),
        )
      const doc = docs.get(r.doc)
      const now = doc ? currentOf(doc, r) : undefined
      conflicts.push(now === undefined ? r : { ...r, ...now })
    }
    return { conflicts, next: page.next }
  }

  /**
   * Stores a proposed resolution with the conflict (the proposer's earlier one is replaced) and
   * tells live listeners. Throws a DomainError (invalid) when `pick` names no party.
   */
  async propose(workspace: string, id: string, by: string, choice: Choice, reasoning: string): Promise<ProposeResult> {
    const record = await this.get(workspace, id)
    if (!record) return 'not_found'
    const chosen = this.#chosen(record, choice)
    const proposal: ResolutionProposal = { by, choice: chosen.choice, value: chosen.value, reasoning, at: Date.now() }
    const result = await this.log.propose(id, proposal)
    if (typeof result === 'string') return result
    this.opts.logger.info({ workspace, conflict: id, by, choice: chosen.choice }, 'resolution proposed')
    // Listeners replace the record they show: it carries what stands now, as listed.
    const shown = await this.#withCurrent(result)
    this.emit('conflict', workspace, shown)
    return shown
  }

  /** The record with what stands at its location now (as page() lists it). */
  async #withCurrent(record: ConflictRecord): Promise<ConflictRecord> {
    if (record.location.kind === 'task' || !this.#core) return record
    const doc = await this.#core.room(record.doc).then(
      (room) => room.doc,
      () => null,
    )
    const now = doc ? currentOf(doc, record) : undefined
    return now === undefined ? record : { ...record, ...now }
  }

  /** The value a choice writes: a party's (with its Yjs types) or a new one. */
  #chosen(record: ConflictRecord, choice: Choice): { choice: string; value: unknown; typed?: TypedValue } {
    if (!('pick' in choice)) return { choice: 'custom', value: choice.value }
    const party = record.parties.find((p) => p.principal === choice.pick)
    if (!party) throw new DomainError('invalid', 'invalid_request', `${choice.pick} is not a party to this conflict (${record.parties.map((p) => p.principal).join(', ')})`)
    return { choice: party.principal, value: party.value, typed: party.typed }
  }

  /**
   * Writes the chosen value as `by` and records the decision. `proposedBy`: the proposer whose
   * proposal this applies (approved by `by`, or `by` itself applying its own).
   */
  async resolve(workspace: string, id: string, by: string, choice: Choice, proposedBy?: string): Promise<ConflictRecord | 'not_found' | 'resolved' | 'decided'> {
    const record = await this.log.get(id)
    if (!record || parseRoom(record.doc)?.workspace !== workspace) return 'not_found'
    if (record.status === 'decided') return 'decided'
    if (record.status !== 'open') return 'resolved'
    const { choice: chosen, value, typed } = this.#chosen(record, choice)
    if (record.location.kind !== 'task') {
      if (!this.#core) throw new Error('conflict service is not attached to a sync core')
      const room = await this.#core.room(record.doc)
      await room.writeAsServer(by, `resolve ${id}`, (doc) => applyResolution(doc, record, value, typed))
    }
    const resolved = await this.log.resolve(id, { by, choice: chosen, value, at: Date.now(), ...(proposedBy ? { proposedBy } : {}) })
    if (!resolved) return 'resolved'
    this.emit('conflict', workspace, resolved)
    return resolved
  }
}
