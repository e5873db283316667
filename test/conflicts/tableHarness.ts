// In-process harness for the conflict scenario table: writers are separate Y.Docs with fixed
// client ids, synced only through a server doc whose every incoming update goes through the
// ConflictDetector the way the real server drives it (Connection + Room):
// - online writers send each local transaction as an incremental update;
// - what the server sends a writer counts only once the writer answers a probe (sync step 1);
//   a writer the server sent something to but that has not answered has *not* seen it;
// - an offline writer reconnects with a new session: its sync step 1 state vector, then its sync
//   reply (full delete set) as a 'sync' message.
import * as Y from 'yjs'
import { ConflictDetector } from '../../server/conflicts/index.ts'
import { ConflictRecordSchema, type ConflictRecord } from '../../shared/conflicts/index.ts'

export class TableServer {
  doc = new Y.Doc({ gc: false })
  detector = new ConflictDetector(this.doc, { docName: 'w1/shared', now: () => 1 })
  /** Latest version of each record by id (records are updated in place as parties join). */
  records = new Map<string, ConflictRecord>()
  clients: Writer[] = []

  integrate(update: Uint8Array, w: Writer, message: 'update' | 'sync', meta?: { stateVector: Uint8Array }): void {
    for (const r of this.detector.integrate(update, { principal: w.principal, session: w.session, message }, meta)) {
      ConflictRecordSchema.parse(r)
      this.records.set(r.id, r)
    }
    // Everyone else online is *sent* the change; nobody has seen it until they answer a probe.
    for (const c of this.clients) {
      if (c === w || !c.online) continue
      c.sent()
    }
  }
}

export class Writer {
  doc: Y.Doc
  outbox: Uint8Array[] = []
  online = true
  #sessions = 0
  session: string

  constructor(
    readonly server: TableServer,
    readonly principal: string,
    clientID: number,
  ) {
    this.doc = new Y.Doc()
    this.doc.clientID = clientID
    this.session = `${principal}/${clientID}/0`
    this.doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'server') this.outbox.push(u)
    })
    server.clients.push(this)
  }

  #probes = 0

  /** The server sent this writer what it has, and a probe after it (not answered yet). */
  sent(): void {
    this.server.detector.delivered(this.session, this.principal)
    this.server.detector.probed(this.session)
    this.#probes++
  }

  /** Receives everything the server has and answers every probe (answers come in order). */
  pull(): void {
    this.sent()
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(this.server.doc, Y.encodeStateVector(this.doc)), 'server')
    for (; this.#probes > 0; this.#probes--) this.server.detector.acknowledged(this.session, this.principal)
  }

  goOffline(): void {
    this.online = false
  }

  /** Sends each pending local transaction as its own incremental update. */
  pushEach(): void {
    for (const u of this.outbox.splice(0)) this.server.integrate(u, this, 'update')
  }

  /** Sends the pending local transactions as one incremental update (one message). */
  pushOne(): void {
    const parts = this.outbox.splice(0)
    if (parts.length > 0) this.server.integrate(Y.mergeUpdates(parts), this, 'update')
  }

  /** Reconnects after being offline: new session, sync step 1 state vector, then the sync reply. */
  reconnect(): void {
    this.outbox.length = 0
    this.online = true
    this.session = `${this.principal}/${this.doc.clientID}/${++this.#sessions}`
    this.#probes = 0
    const stateVector = Y.encodeStateVector(this.doc)
    this.server.detector.probed(this.session) // the server's opening step 1
    this.server.integrate(Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.server.doc)), this, 'sync', { stateVector })
    this.server.detector.acknowledged(this.session, this.principal) // the reply answered it (nothing delivered before)
  }
}

/** Human-readable summary of a record: kind, where, and each party's value. */
export interface Summary {
  kind: ConflictRecord['kind']
  where: string
  parties: Record<string, unknown>
}

export function summarize(r: ConflictRecord): Summary {
  const where = r.location.kind === 'map' ? r.location.path.join('.') : r.location.kind === 'text' ? `${r.location.path.join('.')}:"${r.location.text}"` : r.location.kind
  return { kind: r.kind, where, parties: Object.fromEntries(r.parties.map((p) => [p.principal, p.deleted ? 'DELETED' : p.value])) }
}

export const key = (s: Summary) => JSON.stringify([s.kind, s.where, Object.entries(s.parties).sort()])

/** Every interleaving of the writers' message sequences (each writer's own order kept). */
export function interleavings(counts: number[]): number[][] {
  const out: number[][] = []
  const left = [...counts]
  const seq: number[] = []
  const total = counts.reduce((a, b) => a + b, 0)
  const go = () => {
    if (seq.length === total) return void out.push([...seq])
    for (let i = 0; i < left.length; i++) {
      if (left[i] === 0) continue
      left[i]--
      seq.push(i)
      go()
      seq.pop()
      left[i]++
    }
  }
  go()
  return out
}
