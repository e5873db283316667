// The write path of one room: every update, from a socket or from the server itself, is
// appended to storage *before* it is applied, broadcast or acknowledged.
//
// - Group commit: updates that arrive while a batch is being written queue up and go to disk
//   together in the next batch (one fsync for many edits).
// - Gaps: an update whose dependencies have not arrived is stored, then held back until they
//   do (see HeldUpdates); what waits is bounded per room.
// - Order: a persisted acknowledgement, a probe's answer (`seen`) and a session's close keep
//   their place among the updates: each is acted on after everything queued before it (an
//   answer that arrives with nothing queued or being stored is acted on at once).
// - The document's one writer: only what the queue applied is broadcast. Any other change to
//   the document was never stored; it is refused loudly (see #onTransaction).

import type { Span } from '@opentelemetry/api'
import * as Y from 'yjs'
import type { Logger } from 'pino'
import type { DocumentStorage } from '../storage/DocumentStorage.ts'
import type { ServerMetrics } from '../metrics.ts'
import type { TransactionOrigin } from '../../shared/origin.ts'
import { CLOSE, persistedMessage } from '../../shared/wire/index.ts'
import { Fenced } from '../storage/ownership.ts'
import type { Limits } from './limits.ts'
import type { Clock } from './clock.ts'
import type { RoomExtension } from './RoomExtension.ts'
import type { CausalMeta, Writer } from './writer.ts'
import type { Offer, Offered, Sender } from './offer.ts'
import type { Change } from './broadcastChunks.ts'
import { HeldUpdates, NO_DEPENDENCIES, dependenciesOf, type Dependencies } from './HeldUpdates.ts'
import { deletesNothingNew, inspectUpdate, type UpdateInfo } from './inspectUpdate.ts'
import { ProbeAnswers, isEmptyUpdate } from './probeAnswers.ts'
import { clientsWithNewStructs } from './clientIds.ts'
import { encodeTransactionUpdate, transactionChanged } from './transactionUpdate.ts'
import { inDetectSpan, startIngestSpan } from '../telemetry/ingestSpans.ts'

export interface WriteQueueOptions {
  name: string
  doc: Y.Doc
  storage: DocumentStorage
  limits: Limits
  metrics: ServerMetrics
  logger: Logger
  /** The times stored with updates. */
  clock: Clock
  extension?: RoomExtension
  /**
   * Null, or why `principal` may not add structs under one of `clients` (another writer's ids);
   * a promise while the claim is being stored: the update is stored only once it resolves null.
   */
  claimClients?: (principal: string, clients: number[]) => string | null | Promise<string | null>
  /** Called before a server write's mutation runs, with everything queued before it applied. */
  beforeServerWrite?: (write: { principal: string; reason: string; clientId: number }) => void | Promise<void>
  /** What a batch changed, in apply order (once per batch that changed anything); returns how many connections it went to. */
  broadcast: (changes: Change[]) => number
  /** The durable log grew by `updates` updates of `bytes` bytes in all. */
  appended: (updates: number, bytes: number) => void
  /** Everything queued so far is stored and applied. */
  drained: () => void
  /** A change reached the document around the queue: the document holds what storage lacks. */
  bypassed: () => void
  /** Storage refused an append because another instance took the room: the room must be dropped. */
  fenced: () => void
}

type QueuedUpdate = {
  kind: 'update'
  /** Null for a write the server makes. */
  from: Sender | null
  writer: Writer & { origin: TransactionOrigin }
  update: Uint8Array
  /** What the writer had seen, when its client said so. */
  causal?: CausalMeta
  clients: number[]
  receivedAt: number
  /** `polyphony.update`, from queued to broadcast (server/telemetry/ingestSpans.ts). */
  span?: Span
  deps: Dependencies
  /** The claim of the client ids it writes under, still being stored (see claimClients). */
  claim?: Promise<string | null>
}

type Queued =
  | QueuedUpdate
  | { kind: 'ack'; from: Sender; requestId: number }
  /** The sender answered a probe: it had integrated what it was sent before (after its earlier updates). */
  | { kind: 'seen'; from: Sender }
  /** The sender closed: its session's evidence is dropped after the updates it sent before. */
  | { kind: 'closed'; from: Sender }

const QUEUED: Offer = { kind: 'queued' }
const PAUSE: Offer = { kind: 'pause' }
const SKIPPED: Offer = { kind: 'skipped' }

/** A Yjs client id for server writes, never one a client has used in this document. */
function freshClientId(doc: Y.Doc): number {
  for (;;) {
    const id = Math.floor(Math.random() * 2 ** 31)
    if (!doc.store.clients.has(id)) return id
  }
}

export class WriteQueue {
  /** Highest storage seq applied to the document; every lower seq is applied too. */
  appliedSeq = 0
  readonly #held: HeldUpdates<QueuedUpdate>
  readonly #answers: ProbeAnswers
  #queue: Queued[] = []
  #queuedBytes = 0
  #flushing: Promise<void> | null = null
  /** Senders told to pause their reads: told when the queue drains. */
  #paused = new Set<Sender>()
  /** The origin of the update being applied now: the one change the document may make. */
  #applying: TransactionOrigin | null = null
  /** Changes applied in the batch being flushed. */
  #changes: Change[] = []
  /** A change that bypassed the queue, to throw at its writer once its transactions end. */
  #bypass: string | null = null
  #serverWrites: Promise<void> = Promise.resolve()
  #serverClientIds = new Map<string, number>()
  /** Senders whose claim was refused once stored: none of their queued writes is stored. */
  #refused = new WeakSet<Sender>()

  constructor(private readonly opts: WriteQueueOptions) {
    this.#held = new HeldUpdates(opts.doc)
    this.#answers = new ProbeAnswers()
  }

  /**
   * The document holds the stored state up to `appliedSeq`: from now on every change to it
   * must come through this queue.
   */
  open(appliedSeq: number): void {
    this.appliedSeq = appliedSeq
    // Not 'update': see transactionUpdate.ts for why the queue encodes changes itself.
    this.opts.doc.on('afterTransaction', this.#onTransaction)
    this.opts.doc.on('afterAllTransactions', this.#afterTransactions)
  }

  /** Entries waiting to be stored and applied (updates and the acknowledgements in order with them). */
  get queuedUpdates(): number {
    return this.#queue.length
  }

  /** Bytes of updates waiting to be stored and applied (the writers' reads pause beyond a bound). */
  get queuedBytes(): number {
    return this.#queuedBytes
  }

  /** Updates held back for missing dependencies, counting queued updates that will be. */
  get pendingUpdates(): number {
    return this.#held.count
  }

  /** Bytes held back for missing dependencies, counting queued updates that will be. */
  pendingBytes(): number {
    return this.#held.bytes()
  }

  /** Stored updates still waiting for their dependencies (a snapshot must include them). */
  heldUpdates(): Uint8Array[] {
    return this.#held.updates()
  }

  /**
   * The one call a connection makes to write: inspects `update` against the room and the
   * queue, and queues it (with the probe answer it carries) or says why not.
   */
  offer(from: Sender, update: Uint8Array, how: Offered): Offer {
    // A probe's answer that adds nothing (the usual case: empty, or the delete set an earlier answer
    // was found to add nothing with) is counted without being inspected or stored. The opening
    // answer may carry offline deletions for the detector: only an empty one.
    if (how.answersProbe && (isEmptyUpdate(update) || (how.mayEcho && this.#answers.known(update)))) {
      this.seen(from)
      return SKIPPED
    }
    let info: UpdateInfo
    try {
      info = inspectUpdate(update, (client) => this.#held.expectedState(client))
    } catch {
      return { kind: 'refused', reason: 'malformed', message: 'malformed message' }
    }
    if (info.empty || (how.mayEcho && (info.hasGap || this.#addsNothing(info)))) {
      // A delete set found to add nothing: the same bytes again (the next answers) skip the inspection.
      if (how.mayEcho && !info.empty && !info.hasGap && info.clients.length === 0) this.#answers.remember(update)
      if (how.answersProbe) this.seen(from)
      return SKIPPED
    }
    if (!from.ctx.canWrite) return { kind: 'refused', reason: 'read_only', message: 'read-only access: your update was not applied' }
    const { limits } = this.opts
    if (info.hasGap && (this.#held.count >= limits.maxPendingUpdatesPerRoom || this.#held.bytes() + update.length > limits.maxPendingBytesPerRoom)) {
      const message = 'too many updates waiting for missing dependencies in this room; send what they depend on first, or resync'
      return { kind: 'refused', reason: 'pending_overflow', message }
    }
    const { principal } = from.ctx
    const claimed =
      this.opts.claimClients?.(
        principal,
        clientsWithNewStructs(info.ends, (client) => this.#held.expectedState(client)),
      ) ?? null
    if (typeof claimed === 'string') return { kind: 'refused', reason: 'client_id_taken', message: claimed }
    const claim = claimed ?? undefined
    const origin: TransactionOrigin = { source: 'connection', principal, connectionId: from.id }
    const writer = { principal, session: String(from.id), message: how.message, origin }
    const span = startIngestSpan({ room: this.opts.name, principal, bytes: update.length, message: how.message, traceparent: how.causal?.traceparent })
    this.#pushUpdate({ kind: 'update', from, writer, update, causal: how.causal, clients: info.clients, receivedAt: performance.now(), span, deps: dependenciesOf(info), claim })
    if (how.answersProbe) this.#push({ kind: 'seen', from })
    const { maxQueuedUpdatesPerRoom, maxQueuedBytesPerRoom } = limits
    if (this.#queue.length <= maxQueuedUpdatesPerRoom && this.#queuedBytes <= maxQueuedBytesPerRoom) return QUEUED
    this.#paused.add(from)
    return PAUSE
  }

  /** No structs beyond what the queue will have, and only deletions the document has. */
  #addsNothing(info: UpdateInfo): boolean {
    const stateOf = (client: number) => this.#held.expectedState(client)
    return clientsWithNewStructs(info.ends, stateOf).length === 0 && deletesNothingNew(this.opts.doc, info.deletes)
  }

  /**
   * `from` answered its oldest probe with nothing to store: it had integrated what it was sent
   * before the probe. Counted after everything queued before it; with nothing queued or being
   * stored, that is now (no turn through the queue: a probe's answer is the most frequent message).
   */
  seen(from: Sender): void {
    if (this.#queue.length > 0 || this.#flushing) return this.#push({ kind: 'seen', from })
    // As #persistAndApply counts a queued one.
    this.opts.extension?.acknowledged(String(from.id), from.ctx.principal)
    from.probeAnswered()
  }

  /** Replies to `from` once everything it sent before this request is durable. */
  ack(from: Sender, requestId: number): void {
    this.#push({ kind: 'ack', from, requestId })
  }

  /** `from` closed: the extension forgets its session after the updates it had queued. */
  closed(from: Sender): void {
    if (this.opts.extension) this.#push({ kind: 'closed', from })
  }

  /**
   * Writes as the server on behalf of `principal` (task reflection, conflict resolution,
   * demo content) through the same durable path as socket updates. Resolves once stored.
   */
  writeAsServer(principal: string, reason: string, mutate: (doc: Y.Doc) => void): Promise<void> {
    const run = async (): Promise<void> => {
      await this.drain()
      const { doc } = this.opts
      const scratch = new Y.Doc()
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc))
      // One client id per principal the server writes for (fresh in this room): one id shared by
      // every principal would credit one principal's write to another (the detector attributes
      // ids to principals); one per write would grow the state vector with every server write.
      let clientId = this.#serverClientIds.get(principal)
      if (clientId === undefined) this.#serverClientIds.set(principal, (clientId = freshClientId(doc)))
      scratch.clientID = clientId
      await this.opts.beforeServerWrite?.({ principal, reason, clientId })
      const before = Y.encodeStateVector(scratch)
      let changed = false
      scratch.on('update', () => (changed = true))
      const origin: TransactionOrigin = { source: 'server', principal, reason }
      Y.transact(scratch, () => mutate(scratch), origin)
      if (changed) {
        const update = Y.encodeStateAsUpdate(scratch, before)
        // A server write was made on a copy of the whole room: its writer had seen everything.
        const writer = { principal, session: `server:${principal}`, message: 'update' as const, knowsAll: true, origin }
        this.#pushUpdate({ kind: 'update', from: null, writer, update, clients: [clientId], receivedAt: performance.now(), deps: NO_DEPENDENCIES })
        await this.drain()
        const stored = Y.getState(doc.store, clientId) >= Y.getState(scratch.store, clientId)
        scratch.destroy()
        if (!stored) throw new Error(`server write to ${this.opts.name} could not be stored`)
      } else {
        scratch.destroy()
      }
    }
    const next = this.#serverWrites.then(run)
    this.#serverWrites = next.catch(() => {})
    return next
  }

  /** Resolves when everything queued so far is stored and applied. */
  async drain(): Promise<void> {
    while (this.#flushing || this.#queue.length > 0) {
      if (!this.#flushing) this.#scheduleFlush()
      await this.#flushing
    }
  }

  #pushUpdate(q: QueuedUpdate): void {
    this.#queuedBytes += q.update.length
    this.#held.queued(q)
    this.#push(q)
  }

  #push(q: Queued): void {
    this.#queue.push(q)
    this.#scheduleFlush()
  }

  #scheduleFlush(): void {
    if (this.#flushing) return
    // setImmediate lets every message already read from the sockets join this batch.
    this.#flushing = new Promise<void>((resolve) => setImmediate(() => this.#flush().finally(resolve)))
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#takeBatch()
        try {
          await this.#persistAndApply(batch)
        } catch {
          // Logged and its writers told in #store; the room keeps serving.
        } finally {
          this.#forgetQueued(batch)
        }
      }
    } finally {
      this.#flushing = null
    }
    const paused = [...this.#paused]
    this.#paused.clear()
    for (const sender of paused) sender.roomDrained()
    this.opts.drained()
  }

  /**
   * The next batch: queued entries up to limits.maxBatchBytes of updates (at least one entry).
   * A flood is stored and broadcast in slices with a turn between them, so sockets drain as
   * it goes instead of every reader being handed the whole flood in one go.
   */
  #takeBatch(): Queued[] {
    let bytes = 0
    let n = 0
    for (const q of this.#queue) {
      const size = q.kind === 'update' ? q.update.length : 0
      if (n > 0 && bytes + size > this.opts.limits.maxBatchBytes) break
      bytes += size
      n++
    }
    return this.#queue.splice(0, n)
  }

  #forgetQueued(batch: Queued[]): void {
    const updates = batch.filter(isUpdate)
    for (const q of updates) this.#queuedBytes -= q.update.length
    this.#held.dequeued(updates, this.#queue.filter(isUpdate))
  }

  async #persistAndApply(queued: Queued[]): Promise<void> {
    const batch = await this.#withoutRefused(queued)
    // Updates from sockets that closed meanwhile are stored too: a client may write and leave.
    const updates = batch.filter(isUpdate)
    const seqs = await this.#store(updates)
    const { doc, extension } = this.opts
    const acked = new Set<Sender>()
    // What the extension wrote while integrating (conflicts found, client owners learned) commits
    // before anyone is told their writes are stored: acknowledgements wait for it, if any.
    const settling: Array<Promise<void>> = []
    const unsettled = (): boolean => {
      const pending = extension?.unsettled?.()
      if (pending) settling.push(pending)
      return settling.length > 0
    }
    const owed: Array<[Sender, Uint8Array]> = []
    // Changes of this batch are collected and broadcast together at the end: one frame and
    // one syscall per socket per batch instead of per update.
    this.#changes = []
    try {
      let i = 0
      for (const q of batch) {
        if (q.kind === 'ack') {
          const reply = persistedMessage(q.requestId, Y.encodeStateVector(doc))
          if (unsettled()) owed.push([q.from, reply])
          else q.from.send(reply)
        } else if (q.kind === 'seen') {
          extension?.acknowledged(String(q.from.id), q.from.ctx.principal)
          q.from.probeAnswered()
        } else if (q.kind === 'closed') {
          extension?.sessionClosed(String(q.from.id), q.from.ctx.principal)
        } else {
          this.#held.applyOrHold(q, this.#applyOne)
          this.appliedSeq = seqs[i++]
          if (q.from?.ctx.wantsPersisted) acked.add(q.from)
        }
      }
      this.#held.applyReady(this.#applyOne)
    } finally {
      this.#broadcast(updates)
    }
    if (unsettled()) await this.#settle(settling, updates)
    for (const [to, reply] of owed) to.send(reply)
    if (acked.size > 0) {
      const msg = persistedMessage(0, Y.encodeStateVector(doc))
      for (const sender of acked) sender.send(msg)
    }
  }

  /** Appends durably; on failure nothing of the batch was acknowledged and its writers must resend. */
  async #store(updates: QueuedUpdate[]): Promise<number[]> {
    if (updates.length === 0) return []
    const started = performance.now()
    const at = this.opts.clock.now()
    try {
      const seqs = await this.opts.storage.append(
        this.opts.name,
        updates.map((u) => ({ principal: u.writer.principal, clients: u.clients, at, data: u.update, message: u.from ? (u.writer.message ?? 'update') : 'server' })),
      )
      this.opts.metrics.persistSeconds.observe((performance.now() - started) / 1000)
      this.opts.metrics.batchSize.observe(updates.length)
      this.opts.appended(
        updates.length,
        updates.reduce((n, u) => n + u.update.length, 0),
      )
      return seqs
    } catch (err) {
      // Not stored, so never acknowledged; the room closes every socket on its own.
      if (err instanceof Fenced) {
        this.opts.fenced()
        throw err
      }
      this.opts.logger.error({ err, room: this.opts.name }, 'append failed; closing writers of the batch')
      for (const u of updates) u.from?.close(CLOSE.internalError, 'could not store your update; reconnect to retry')
      throw err
    }
  }

  /**
   * The batch once its claims are stored, without the writes (and acknowledgements) of senders
   * whose claim was refused there (another instance holds the id) or failed: they are closed.
   */
  async #withoutRefused(batch: Queued[]): Promise<Queued[]> {
    for (const q of batch) {
      if (q.kind !== 'update' || !q.claim || !q.from || this.#refused.has(q.from)) continue
      let refusal: string | null
      let code: number = CLOSE.policyViolation
      try {
        refusal = await q.claim
      } catch (err) {
        this.opts.logger.error({ err, room: this.opts.name }, 'could not store a client id claim; closing its writer')
        refusal = 'could not store your update; reconnect to retry'
        code = CLOSE.internalError
      }
      if (refusal === null) continue
      this.#refused.add(q.from)
      if (code === CLOSE.policyViolation) this.opts.metrics.refused.inc({ reason: 'client_id_taken' })
      q.from.close(code, refusal)
    }
    return batch.filter((q) => q.kind === 'seen' || q.kind === 'closed' || !q.from || !this.#refused.has(q.from))
  }

  /** Waits for the extension's writes; if they fail, nothing of the batch is acknowledged and its writers must resend. */
  async #settle(settling: Array<Promise<void>>, updates: QueuedUpdate[]): Promise<void> {
    try {
      await Promise.all(settling)
    } catch (err) {
      this.opts.logger.error({ err, room: this.opts.name }, 'storing what the room learned failed; closing writers of the batch')
      for (const u of updates) u.from?.close(CLOSE.internalError, 'could not store your update; reconnect to retry')
      throw err
    }
  }

  #applyOne = (q: QueuedUpdate): void => {
    const { writer } = q
    const { doc, extension } = this.opts
    this.#applying = writer.origin
    try {
      if (extension) inDetectSpan(q.span, () => extension.integrate(doc, q.update, writer, q.causal))
      else Y.applyUpdate(doc, q.update, writer.origin)
    } catch (err) {
      // Decoded but Yjs could not apply it (a crafted update). It is stored already; load()
      // replays it the same way. Keep applying the rest of the batch: it is stored too.
      this.opts.logger.warn({ err, room: this.opts.name, principal: writer.principal }, 'stored update failed to apply')
      this.opts.metrics.refused.inc({ reason: 'apply_failed' })
      q.from?.close(CLOSE.invalidPayload, 'update could not be applied')
    } finally {
      this.#applying = null
    }
    this.opts.metrics.updatesIn.inc()
  }

  #broadcast(updates: QueuedUpdate[]): void {
    const changes = this.#changes
    this.#changes = []
    if (changes.length === 0) return
    const peers = this.opts.broadcast(changes)
    const now = performance.now()
    for (const u of updates) {
      this.opts.metrics.broadcastSeconds.observe((now - u.receivedAt) / 1000)
      u.span?.addEvent('broadcast', { 'polyphony.peers': peers })
      u.span?.end()
    }
  }

  /**
   * Every change to the document passes here. One the queue is applying joins the batch's
   * broadcast; its origin names the connection that sent it, which is not sent its own change.
   * Any other change was never stored: passing it on would show clients what a restart loses.
   */
  #onTransaction = (tr: Y.Transaction): void => {
    const { origin } = tr
    const applying = this.#applying
    if (applying !== null && origin === applying) {
      const update = encodeTransactionUpdate(tr)
      if (update !== null) this.#changes.push({ update, sender: applying.source === 'connection' ? applying.connectionId : null })
      return
    }
    if (!transactionChanged(tr)) return
    const described = describeOrigin(origin)
    this.opts.logger.error({ room: this.opts.name, origin: described }, 'a change to the document bypassed storage; not broadcast')
    this.opts.metrics.refused.inc({ reason: 'unstored_write' })
    this.#bypass = described
  }

  /**
   * Once Yjs has finished its transactions (throwing from the update handler would leave the
   * document's transaction state broken), the room is told, and whoever changed the document
   * directly gets an error. A change made while the queue applies (an observer writing back)
   * is not thrown: the throw would be taken for the applied update's failure.
   */
  #afterTransactions = (): void => {
    const bypass = this.#bypass
    this.#bypass = null
    if (bypass === null) return
    this.opts.bypassed()
    if (this.#applying !== null) return
    throw new Error(`room ${this.opts.name}: a change to the document bypassed storage (origin ${bypass}) and was not broadcast; write with Room.writeAsServer`)
  }
}

function isUpdate(q: Queued): q is QueuedUpdate {
  return q.kind === 'update'
}

function describeOrigin(origin: unknown): string {
  if (origin !== null && typeof origin === 'object' && 'source' in origin && typeof origin.source === 'string') return origin.source
  return origin === null ? 'none' : typeof origin
}
