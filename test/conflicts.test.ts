// Scenario table for the conflict detector: writers are separate Y.Docs with fixed client ids,
// synced only through a server doc whose every incoming update goes through ConflictDetector.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ConflictDetector } from '../server/conflicts/index.ts'
import { ConflictRecordSchema, type ConflictRecord } from '../shared/conflicts/index.ts'

const SENTENCE = 'The quick brown fox jumps over the lazy dog.'
const BASE = `${SENTENCE}\n\nSecond paragraph talks about cats.`

class Server {
  doc = new Y.Doc({ gc: false })
  detector = new ConflictDetector(this.doc, { docName: 'w1/shared', now: () => 1 })
  conflicts: ConflictRecord[] = []
  integrate(update: Uint8Array, c: Client, message: 'update' | 'sync', seen?: { stateVector: Uint8Array }): void {
    this.conflicts.push(...this.detector.integrate(update, { principal: c.principal, session: c.session, message }, seen))
  }
}

class Client {
  doc: Y.Doc
  outbox: Uint8Array[] = []
  session: string
  constructor(
    readonly principal: string,
    clientID: number,
    session = `s${clientID}`,
  ) {
    this.doc = new Y.Doc()
    this.doc.clientID = clientID
    this.session = session
    this.doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'server') this.outbox.push(u)
    })
  }
  get text(): Y.Text {
    return this.doc.getMap('docs').get('notes') as Y.Text
  }
  task(id: string): Y.Map<unknown> {
    return this.doc.getMap('tasks').get(id) as Y.Map<unknown>
  }
  /** Online: each local transaction as its own incremental update. */
  push(server: Server): void {
    for (const u of this.outbox.splice(0)) server.integrate(u, this, 'update')
  }
  /**
   * Reconnect after being offline: the sync step 2 reply (full delete set) instead of the outbox.
   * `withStateVector`: the client's own sync step 1 came first, as a real client's does.
   */
  syncUp(server: Server, withStateVector = false): void {
    this.outbox.length = 0
    this.session = `${this.session}+` // a reconnect is a new session
    const seen = withStateVector ? { stateVector: Y.encodeStateVector(this.doc) } : undefined
    server.integrate(Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(server.doc)), this, 'sync', seen)
  }
  pull(server: Server): void {
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(server.doc, Y.encodeStateVector(this.doc)), 'server')
    server.detector.delivered(this.session, this.principal)
  }
  replace(find: string, by: string, occurrence = 0): void {
    let at = -1
    for (let i = 0; i <= occurrence; i++) at = this.text.toString().indexOf(find, at + 1)
    if (at < 0) throw new Error(`no ${find}`)
    this.doc.transact(() => {
      this.text.delete(at, find.length)
      if (by) this.text.insert(at, by)
    })
  }
  insertBefore(find: string, what: string): void {
    const at = this.text.toString().indexOf(find)
    if (at < 0) throw new Error(`no ${find}`)
    this.text.insert(at, what)
  }
}

/** A server seeded by a setup principal and two (or more) writers that pulled the base state. */
function setup(...writers: Array<[string, number]>) {
  const server = new Server()
  const seed = new Client('setup', 1)
  seed.doc.transact(() => {
    seed.doc.getMap('docs').set('notes', new Y.Text(BASE))
    const t1 = new Y.Map<unknown>()
    seed.doc.getMap('tasks').set('t1', t1)
    t1.set('title', 'Write intro')
    t1.set('status', 'todo')
    seed.doc.getMap('meta').set('title', 'Workspace')
  })
  seed.push(server)
  const clients = writers.map(([p, id]) => new Client(p, id))
  for (const c of clients) c.pull(server)
  return { server, clients }
}

const summary = (rs: ConflictRecord[]) =>
  rs.map((r) => ({
    kind: r.kind,
    where: r.location.kind === 'map' ? r.location.path.join('.') : r.location.kind === 'text' ? r.location.text : r.location.kind,
    parties: r.parties.map((p) => `${p.principal}=${JSON.stringify(p.value)}`),
  }))

function expectValid(rs: ConflictRecord[]): void {
  for (const r of rs) expect(ConflictRecordSchema.parse(r)).toEqual(r)
}

describe('ConflictDetector scenarios', () => {
  it('concurrent writes of one key: one map conflict with both values', () => {
    const {
      server,
      clients: [a, b],
    } = setup(['alice', 10], ['bob', 20])
    a.doc.getMap('meta').set('title', 'Alpha')
    b.doc.getMap('meta').set('title', 'Beta')
    a.push(server)
    b.push(server)
    expectValid(server.conflicts)
    expect(summary(server.conflicts)).toEqual([{ kind: 'map-key-overwrite', where: 'meta.title', parties: ['alice="Alpha"', 'bob="Beta"'] }])
  })

  it('sequential overwrite (the writer saw the previous value): none', () => {
    const {
      server,
      clients: [a, b],
    } = setup(['alice', 10], ['bob', 20])
    a.doc.getMap('meta').set('title', 'Alpha')
    a.push(server)
    b.pull(server)
    b.doc.getMap('meta').set('title', 'Beta')
    b.push(server)
    a.pull(server)
    a.doc.getMap('meta').set('title', 'Gamma')
    a.push(server)
    expect(server.conflicts).toEqual([])
  })

  it('nested key (a task status): one conflict at tasks.t1.status', () => {
    const {
      server,
      clients: [a, b],
    } = setup(['alice', 30], ['bob', 20])
    a.task('t1').set('status', 'doing')
    b.task('t1').set('status', 'blocked')
    b.task('t1').set('owner', 'bob')
    b.push(server)
    a.push(server)
    expect(summary(server.conflicts)).toEqual([{ kind: 'map-key-overwrite', where: 'tasks.t1.status', parties: ['alice="doing"', 'bob="blocked"'] }])
  })

  it('concurrent rewrites of the same word: one text conflict with each version', () => {
    const {
      server,
      clients: [a, b],
    } = setup(['alice', 10], ['bob', 20])
    a.replace('quick', 'fast')
    b.replace('quick', 'slow')
    a.push(server)
    b.push(server)
    expectValid(server.conflicts)
    expect(summary(server.conflicts)).toEqual([{ kind: 'overlapping-text-edit', where: 'quick', parties: ['alice="fast"', 'bob="slow"'] }])
    const loc = server.conflicts[0].location
    if (loc.kind !== 'text') throw new Error('text expected')
    expect(loc.doc).toBe('notes')
    const abs = (j: typeof loc.start) => Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(j), server.doc)?.index
    const merged = server.doc.getMap('docs').get('notes') as Y.Text
    expect(merged.toString().slice(abs(loc.start), abs(loc.end))).toBe('')
    expect(merged.toString()).toMatch(/^The (fastslow|slowfast) brown/)
  })

  it('concurrent edits of different paragraphs: none', () => {
    const {
      server,
      clients: [a, b],
    } = setup(['alice', 10], ['bob', 20])
    a.replace('quick', 'fast')
    b.replace('Second', 'Another')
    b.replace('cats', 'dogs')
    b.push(server)
    a.push(server)
    expect(server.conflicts).toEqual([])
  })

  it('insertion inside a concurrently deleted sentence: one conflict', () => {
    const {
      server,
      clients: [a, b],
    } = setup(['alice', 10], ['bob', 20])
    a.replace(SENTENCE, '')
    b.insertBefore('lazy', 'very ')
    a.push(server)
    b.push(server)
    expect(summary(server.conflicts)).toEqual([
      { kind: 'overlapping-text-edit', where: SENTENCE, parties: ['alice=""', `bob=${JSON.stringify(SENTENCE.replace('lazy', 'very lazy'))}`] },
    ])
  })

  it('insertion next to (not inside) a deleted stretch, or after seeing the deletion: none', () => {
    const {
      server,
      clients: [a, b],
    } = setup(['alice', 10], ['bob', 20])
    a.replace('quick ', '')
    b.insertBefore('quick', 'very ')
    a.push(server)
    b.push(server)
    b.pull(server)
    a.replace('brown ', '')
    a.push(server)
    b.pull(server)
    b.insertBefore('fox', 'red ') // typed where "brown " was, after seeing it go
    b.push(server)
    expect(server.conflicts).toEqual([])
  })

  it('the same updates in either arrival order give identical records', () => {
    const run = (aFirst: boolean) => {
      const {
        server,
        clients: [a, b],
      } = setup(['alice', 10], ['bob', 20])
      a.replace('quick', 'fast')
      a.task('t1').set('status', 'done')
      a.replace('lazy dog', '')
      b.replace('quick brown', 'slow')
      b.task('t1').set('status', 'blocked')
      b.insertBefore('dog', 'old ')
      if (aFirst) {
        a.push(server)
        b.push(server)
      } else {
        b.push(server)
        a.push(server)
      }
      return server.conflicts
    }
    const one = run(true)
    const two = run(false)
    expect(one.length).toBe(3)
    expect(new Set(one.map((r) => r.kind))).toEqual(new Set(['map-key-overwrite', 'overlapping-text-edit']))
    const byId = (rs: ConflictRecord[]) => [...rs].sort((x, y) => (x.id < y.id ? -1 : 1))
    expect(byId(two)).toEqual(byId(one))
  })

  it('long offline divergence: exactly the expected conflicts, in both sync orders', () => {
    const run = (aFirst: boolean) => {
      const {
        server,
        clients: [a, b, reader],
      } = setup(['alice', 10], ['bob', 20], ['carol', 30])
      // carol deletes something while online; everyone else receives it before going offline
      reader.replace('Second ', '')
      reader.push(server)
      a.pull(server)
      b.pull(server)
      for (const s of ['doing', 'review', 'done']) a.task('t1').set('status', s)
      a.replace('quick', 'fast')
      a.replace('brown', 'red')
      a.replace('jumps', 'leaps')
      a.replace('lazy', 'sleepy')
      for (let i = 0; i < 20; i++) a.text.insert(0, `${i} `)
      b.task('t1').set('owner', 'bob')
      b.task('t1').set('status', 'blocked')
      b.replace('cats', 'birds')
      b.replace('talks', 'sings')
      b.replace('lazy', 'idle')
      for (let i = 0; i < 20; i++) b.text.insert(b.text.length, ` ${i}`)
      b.doc.getMap('meta').set('title', 'Workspace') // same value as before: nothing to resolve
      // carol reconnects: her sync reply relays every deletion she knows (none is hers to conflict)
      reader.syncUp(server)
      if (aFirst) {
        a.syncUp(server)
        b.syncUp(server)
      } else {
        b.syncUp(server)
        a.syncUp(server)
      }
      const out = summary(server.conflicts)
        .map((s) => JSON.stringify(s))
        .sort()
      a.pull(server)
      b.pull(server)
      expect(a.text.toString()).toBe(b.text.toString())
      return out
    }
    const expected = [
      // alice's own earlier values were garbage-collected on her client: only 'done' reaches the server
      { kind: 'map-key-overwrite', where: 'tasks.t1.status', parties: ['alice="done"', 'bob="blocked"'] },
      { kind: 'overlapping-text-edit', where: 'lazy', parties: ['alice="sleepy"', 'bob="idle"'] },
    ]
      .map((s) => JSON.stringify(s))
      .sort()
    expect(run(true)).toEqual(expected)
    expect(run(false)).toEqual(expected)
  })

  it('a client relaying one of two concurrent rewrites is no party to their conflict', () => {
    // Found by the chaos suite: bob had received alice's rewrite only; carol's concurrent one
    // deleted the same words. Bob's sync reply re-deletes them: a relay of alice's deletion
    // (Yjs deletes only live text), never a deletion of his own against carol's.
    const {
      server,
      clients: [a, bob, carol],
    } = setup(['alice', 10], ['bob', 20], ['carol', 30])
    carol.replace('quick', 'slow')
    a.replace('quick', 'fast')
    a.push(server)
    bob.pull(server)
    carol.syncUp(server)
    expect(summary(server.conflicts)).toEqual([{ kind: 'overlapping-text-edit', where: 'quick', parties: ['alice="fast"', 'carol="slow"'] }])
    const before = server.conflicts.length
    bob.syncUp(server, true)
    expect(server.conflicts.slice(before)).toEqual([])
    // ... and carol, who had seen neither bob nor the relay, is still only in her record with alice
    carol.pull(server)
    carol.syncUp(server, true)
    expect(server.conflicts.slice(before)).toEqual([])
  })

  it('one principal on two clients never conflicts with itself', () => {
    const {
      server,
      clients: [a1, a2],
    } = setup(['alice', 10], ['alice', 11])
    a1.task('t1').set('status', 'doing')
    a2.task('t1').set('status', 'done')
    a1.replace('quick', 'fast')
    a2.replace('quick', 'slow')
    a1.replace('lazy dog', '')
    a2.insertBefore('dog', 'old ')
    a1.push(server)
    a2.syncUp(server)
    expect(server.conflicts).toEqual([])
  })

  it('re-detection after the fact is idempotent: a record id is returned once', () => {
    const {
      server,
      clients: [a, b],
    } = setup(['alice', 10], ['bob', 20])
    a.doc.getMap('meta').set('title', 'Alpha')
    b.doc.getMap('meta').set('title', 'Beta')
    a.push(server)
    const u = Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(server.doc))
    b.push(server)
    expect(server.detector.integrate(u, { principal: 'bob', session: 's20' })).toEqual([])
    expect(server.conflicts).toHaveLength(1)
  })

  it('refuses a garbage-collecting doc', () => {
    expect(() => new ConflictDetector(new Y.Doc(), { docName: 'x' })).toThrow(/gc: false/)
  })
})
