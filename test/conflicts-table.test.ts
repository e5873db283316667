// [precision] The conflict scenario table, in process: every scenario runs in every arrival order
// of its writers' messages and with both Yjs client-id orders, through the ConflictDetector driven
// the way the server drives it (test/conflicts/tableHarness.ts). Each run must give exactly the
// expected records (kind, location, parties and values), and one scenario the same ids in every
// arrival order. Prints the table size, precision and recall. The real-server subset, restarts and
// dropped connections are in conflicts-table-server.test.ts.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { TableServer, Writer, interleavings, key, summarize, type Summary } from './conflicts/tableHarness.ts'

const SENTENCE = 'The quick brown fox jumps over the lazy dog.'
const BASE = `${SENTENCE}\n\nSecond paragraph talks about reliable cats.`

type Edit = (d: Y.Doc) => void
interface Side {
  principal: string
  mode: 'online' | 'offline'
  edits: Edit[]
}
interface Scenario {
  name: string
  sides: Side[]
  /** Sequential steps before the concurrent part (writers in `sides` order). */
  prelude?: (ws: Writer[]) => void
  expect: Summary[]
}

const text = (d: Y.Doc) => d.getMap('docs').get('notes') as Y.Text
function replace(find: string, by: string): Edit {
  return (d) => {
    const at = text(d).toString().indexOf(find)
    if (at < 0) throw new Error(`no ${find}`)
    d.transact(() => {
      text(d).delete(at, find.length)
      if (by) text(d).insert(at, by)
    })
  }
}
const del = (find: string): Edit => replace(find, '')
function insertAt(find: string, what: string): Edit {
  return (d) => {
    const at = text(d).toString().indexOf(find)
    if (at < 0) throw new Error(`no ${find}`)
    text(d).insert(at, what)
  }
}
const set =
  (path: string[], value: unknown | (() => unknown)): Edit =>
  (d) => {
    let m: Y.Map<unknown> = d.getMap(path[0])
    for (const k of path.slice(1, -1)) m = m.get(k) as Y.Map<unknown>
    m.set(path.at(-1) as string, typeof value === 'function' ? (value as () => unknown)() : value)
  }
const remove =
  (path: string[]): Edit =>
  (d) => {
    let m: Y.Map<unknown> = d.getMap(path[0])
    for (const k of path.slice(1, -1)) m = m.get(k) as Y.Map<unknown>
    m.delete(path.at(-1) as string)
  }
const ymap = (entries: Record<string, unknown>) => () => new Y.Map(Object.entries(entries))
const yarray = (items: string[]) => () => Y.Array.from(items)
const ytext = (s: string) => () => new Y.Text(s)

const on = (principal: string, ...edits: Edit[]): Side => ({ principal, mode: 'online', edits })
const off = (principal: string, ...edits: Edit[]): Side => ({ principal, mode: 'offline', edits })
const map = (where: string, parties: Record<string, unknown>): Summary => ({ kind: 'map-key-overwrite', where, parties })
const overlap = (stretch: string, parties: Record<string, unknown>): Summary => ({ kind: 'overlapping-text-edit', where: `docs.notes:"${stretch}"`, parties })
const dup = (stretch: string, parties: Record<string, unknown>): Summary => ({ kind: 'duplicated-text', where: `docs.notes:"${stretch}"`, parties })

const SCENARIOS: Scenario[] = [
  // --- map keys ---
  {
    name: 'root key, both offline',
    sides: [off('alice', set(['meta', 'title'], 'A')), off('bob', set(['meta', 'title'], 'B'))],
    expect: [map('meta.title', { alice: 'A', bob: 'B' })],
  },
  {
    name: 'root key, both online in the same instant',
    sides: [on('alice', set(['meta', 'title'], 'A')), on('bob', set(['meta', 'title'], 'B'))],
    expect: [map('meta.title', { alice: 'A', bob: 'B' })],
  },
  {
    name: 'root key, one online one offline',
    sides: [on('alice', set(['meta', 'title'], 'A')), off('bob', set(['meta', 'title'], 'B'))],
    expect: [map('meta.title', { alice: 'A', bob: 'B' })],
  },
  {
    name: 'sequential overwrite (bob saw alice)',
    sides: [on('alice'), on('bob', set(['meta', 'title'], 'B'))],
    prelude: ([a, b]) => {
      set(['meta', 'title'], 'A')(a.doc)
      a.pushEach()
      b.pull()
    },
    expect: [],
  },
  {
    name: 'sequential overwrite, then offline concurrent rewrite of the new value',
    sides: [off('alice', set(['meta', 'title'], 'A2')), off('bob', set(['meta', 'title'], 'B'))],
    prelude: ([a, b]) => {
      set(['meta', 'title'], 'A')(a.doc)
      a.pushEach()
      b.pull()
    },
    expect: [map('meta.title', { alice: 'A2', bob: 'B' })],
  },
  {
    name: 'depth 2 key',
    sides: [off('alice', set(['records', 'r1', 'status'], 'doing')), off('bob', set(['records', 'r1', 'status'], 'blocked'))],
    expect: [map('records.r1.status', { alice: 'doing', bob: 'blocked' })],
  },
  {
    name: 'depth 3 key',
    sides: [on('alice', set(['records', 'r1', 'meta', 'owner'], 'al')), off('bob', set(['records', 'r1', 'meta', 'owner'], 'bo'))],
    expect: [map('records.r1.meta.owner', { alice: 'al', bob: 'bo' })],
  },
  { name: 'same value is agreement', sides: [off('alice', set(['meta', 'title'], 'X')), on('bob', set(['meta', 'title'], 'X'))], expect: [] },
  { name: 'different keys of one map', sides: [off('alice', set(['records', 'r1', 'status'], 'doing')), off('bob', set(['records', 'r1', 'title'], 'New'))], expect: [] },
  {
    name: 'nested Y.Map created twice (same record id): one record, no field record',
    sides: [off('alice', set(['records', 'r2'], ymap({ title: 'Alpha', n: 1 }))), off('bob', set(['records', 'r2'], ymap({ title: 'Beta', n: 1 })))],
    expect: [map('records.r2', { alice: { title: 'Alpha', n: 1 }, bob: { title: 'Beta', n: 1 } })],
  },
  {
    name: 'nested Y.Map created twice online',
    sides: [on('alice', set(['records', 'r2'], ymap({ title: 'Alpha' }))), on('bob', set(['records', 'r2'], ymap({ title: 'Beta', tag: 'x' })))],
    expect: [map('records.r2', { alice: { title: 'Alpha' }, bob: { title: 'Beta', tag: 'x' } })],
  },
  {
    name: 'nested Y.Map with equal content is agreement',
    sides: [off('alice', set(['records', 'r2'], ymap({ title: 'Same' }))), off('bob', set(['records', 'r2'], ymap({ title: 'Same' })))],
    expect: [],
  },
  {
    name: 'Y.Array values',
    sides: [off('alice', set(['records', 'r1', 'tags'], yarray(['a', 'b']))), off('bob', set(['records', 'r1', 'tags'], yarray(['c'])))],
    expect: [map('records.r1.tags', { alice: ['a', 'b'], bob: ['c'] })],
  },
  {
    name: 'Y.Text values',
    sides: [off('alice', set(['records', 'r1', 'body'], ytext('alpha text'))), on('bob', set(['records', 'r1', 'body'], ytext('beta text')))],
    expect: [map('records.r1.body', { alice: 'alpha text', bob: 'beta text' })],
  },
  {
    name: 'nested map vs plain value',
    sides: [off('alice', set(['records', 'r3'], ymap({ a: 1 }))), off('bob', set(['records', 'r3'], 'plain'))],
    expect: [map('records.r3', { alice: { a: 1 }, bob: 'plain' })],
  },
  {
    name: 'delete vs set, both offline',
    sides: [off('alice', remove(['records', 'r1', 'status'])), off('bob', set(['records', 'r1', 'status'], 'done'))],
    expect: [map('records.r1.status', { alice: 'DELETED', bob: 'done' })],
  },
  {
    name: 'delete vs set, both online in the same instant',
    sides: [on('alice', remove(['meta', 'title'])), on('bob', set(['meta', 'title'], 'B'))],
    expect: [map('meta.title', { alice: 'DELETED', bob: 'B' })],
  },
  {
    name: 'delete of a nested record vs edit of its field',
    sides: [off('alice', remove(['records', 'r1'])), off('bob', set(['records', 'r1'], ymap({ title: 'Rewritten' })))],
    expect: [map('records.r1', { alice: 'DELETED', bob: { title: 'Rewritten' } })],
  },
  { name: 'delete vs delete is agreement', sides: [off('alice', remove(['meta', 'title'])), on('bob', remove(['meta', 'title']))], expect: [] },
  {
    name: 'set after seeing the delete',
    sides: [on('alice'), on('bob', set(['meta', 'title'], 'Back'))],
    prelude: ([a, b]) => {
      remove(['meta', 'title'])(a.doc)
      a.pushEach()
      b.pull()
    },
    expect: [],
  },
  {
    name: 'delete after seeing the set',
    sides: [on('alice'), on('bob', remove(['meta', 'title']))],
    prelude: ([a, b]) => {
      set(['meta', 'title'], 'A')(a.doc)
      a.pushEach()
      b.pull()
    },
    expect: [],
  },
  {
    name: 'three parties on one key: one record',
    sides: [off('alice', set(['meta', 'title'], 'A')), off('bob', set(['meta', 'title'], 'B')), on('carol', set(['meta', 'title'], 'C'))],
    expect: [map('meta.title', { alice: 'A', bob: 'B', carol: 'C' })],
  },
  {
    name: 'four parties on one key: one record',
    sides: [off('alice', set(['meta', 'title'], 'A')), off('bob', set(['meta', 'title'], 'B')), off('carol', set(['meta', 'title'], 'C')), on('dan', set(['meta', 'title'], 'D'))],
    expect: [map('meta.title', { alice: 'A', bob: 'B', carol: 'C', dan: 'D' })],
  },
  {
    name: 'three parties, two agree',
    sides: [off('alice', set(['meta', 'title'], 'A')), off('bob', set(['meta', 'title'], 'A')), off('carol', set(['meta', 'title'], 'C'))],
    expect: [map('meta.title', { alice: 'A', bob: 'A', carol: 'C' })],
  },
  {
    name: 'three parties: a delete and two sets',
    sides: [off('alice', remove(['records', 'r1', 'status'])), off('bob', set(['records', 'r1', 'status'], 'done')), on('carol', set(['records', 'r1', 'status'], 'review'))],
    expect: [map('records.r1.status', { alice: 'DELETED', bob: 'done', carol: 'review' })],
  },
  {
    name: 'long offline run: only the last value reaches the server',
    sides: [
      off('alice', ...['doing', 'review', 'done'].map((s) => set(['records', 'r1', 'status'], s)), set(['records', 'r1', 'title'], 'T2')),
      off('bob', set(['records', 'r1', 'status'], 'blocked')),
    ],
    expect: [map('records.r1.status', { alice: 'done', bob: 'blocked' })],
  },
  { name: 'one principal on two devices never conflicts with itself', sides: [off('alice', set(['meta', 'title'], 'A1')), off('alice', set(['meta', 'title'], 'A2'))], expect: [] },
  {
    name: 'one principal on two devices and another principal',
    sides: [off('alice', set(['meta', 'title'], 'A')), on('alice', set(['records', 'r1', 'status'], 'x')), off('bob', set(['meta', 'title'], 'B'))],
    expect: [map('meta.title', { alice: 'A', bob: 'B' })],
  },
  // --- text ---
  {
    name: 'same word replaced differently',
    sides: [off('alice', replace('quick', 'fast')), off('bob', replace('quick', 'slow'))],
    expect: [overlap('quick', { alice: 'fast', bob: 'slow' })],
  },
  {
    name: 'same word replaced differently, online in the same instant',
    sides: [on('alice', replace('quick', 'fast')), on('bob', replace('quick', 'slow'))],
    expect: [overlap('quick', { alice: 'fast', bob: 'slow' })],
  },
  {
    name: 'identical replacements duplicate text',
    sides: [off('alice', replace('reliable', 'unreliable')), on('bob', replace('reliable', 'unreliable'))],
    expect: [dup('reliable', { alice: 'unreliable', bob: 'unreliable' })],
  },
  {
    name: 'identical insertions at one place',
    sides: [off('alice', insertAt('lazy', 'very ')), off('bob', insertAt('lazy', 'very '))],
    expect: [dup('', { alice: 'very ', bob: 'very ' })],
  },
  { name: 'different insertions at one place are not a conflict', sides: [off('alice', insertAt('lazy', 'very ')), off('bob', insertAt('lazy', 'old '))], expect: [] },
  { name: 'both delete the same word: agreement', sides: [off('alice', del('quick ')), on('bob', del('quick '))], expect: [] },
  {
    name: 'overlapping deletions',
    sides: [off('alice', replace('quick brown', 'slow')), off('bob', replace('brown fox', 'cat'))],
    expect: [overlap('quick brown fox', { alice: 'slow fox', bob: 'quick cat' })],
  },
  {
    name: 'insertion inside a deleted sentence',
    sides: [off('alice', del(SENTENCE)), off('bob', insertAt('lazy', 'very '))],
    expect: [overlap(SENTENCE, { alice: '', bob: SENTENCE.replace('lazy', 'very lazy') })],
  },
  {
    name: 'insertion inside a deleted sentence, online',
    sides: [on('alice', del(SENTENCE)), on('bob', insertAt('lazy', 'very '))],
    expect: [overlap(SENTENCE, { alice: '', bob: SENTENCE.replace('lazy', 'very lazy') })],
  },
  { name: 'insertion at the edge of a deleted stretch', sides: [off('alice', del('quick ')), off('bob', insertAt('quick', 'very '))], expect: [] },
  { name: 'edits of different paragraphs', sides: [off('alice', replace('quick', 'fast')), off('bob', replace('Second', 'Another'), replace('cats', 'dogs'))], expect: [] },
  {
    name: 'replacement typed as delete then insert vs a replacement',
    sides: [on('alice', del('quick'), insertAt(' brown', 'fast')), off('bob', replace('quick', 'slow'))],
    expect: [overlap('quick', { alice: 'fast', bob: 'slow' })],
  },
  {
    name: 'two replacements typed as delete then insert',
    sides: [on('alice', del('quick'), insertAt(' brown', 'fast')), on('bob', del('quick'), insertAt(' brown', 'slow'))],
    expect: [overlap('quick', { alice: 'fast', bob: 'slow' })],
  },
  {
    name: 'three parties replace one word',
    sides: [off('alice', replace('quick', 'fast')), off('bob', replace('quick', 'slow')), on('carol', replace('quick', 'swift'))],
    expect: [overlap('quick', { alice: 'fast', bob: 'slow', carol: 'swift' })],
  },
  {
    name: 'four parties replace one word',
    sides: [off('alice', replace('lazy', 'idle')), off('bob', replace('lazy', 'sleepy')), off('carol', replace('lazy', 'tired')), on('dan', replace('lazy', 'calm'))],
    expect: [overlap('lazy', { alice: 'idle', bob: 'sleepy', carol: 'tired', dan: 'calm' })],
  },
  {
    name: 'sequential text edits (each saw the other)',
    sides: [on('alice'), on('bob', replace('fast', 'faster'))],
    prelude: ([a, b]) => {
      replace('quick', 'fast')(a.doc)
      a.pushEach()
      b.pull()
    },
    expect: [],
  },
  {
    name: 'long offline run with one overlap',
    sides: [
      off('alice', replace('quick', 'fast'), replace('jumps', 'leaps'), ...Array.from({ length: 15 }, (_, i) => insertAt('Second', `${i} `)), replace('lazy', 'sleepy')),
      off('bob', replace('cats', 'birds'), replace('lazy', 'idle'), ...Array.from({ length: 15 }, (_, i) => insertAt('talks', `${i} `))),
    ],
    expect: [overlap('lazy', { alice: 'sleepy', bob: 'idle' })],
  },
  {
    name: "both offline: retitle and rewrite one sentence (the overwrite that loses is not the writer's deletion)",
    sides: [off('alice', set(['meta', 'title'], 'A'), replace(SENTENCE, 'Alice wrote this.')), off('bob', set(['meta', 'title'], 'B'), replace(SENTENCE, 'Bob wrote this.'))],
    expect: [map('meta.title', { alice: 'A', bob: 'B' }), overlap(SENTENCE, { alice: 'Alice wrote this.', bob: 'Bob wrote this.' })],
  },
  { name: 'one principal on two devices replacing one word', sides: [off('alice', replace('quick', 'fast')), off('alice', replace('quick', 'slow'))], expect: [] },
  {
    name: 'a deletion the other side had received before going offline is not re-counted',
    sides: [off('alice', replace('lazy', 'sleepy')), off('bob', replace('cats', 'dogs'))],
    prelude: ([a, b]) => {
      del('Second ')(a.doc)
      a.pushEach()
      b.pull()
      a.pull()
    },
    expect: [],
  },
]

interface RunResult {
  summaries: Summary[]
  ids: string[]
}

function run(s: Scenario, ids: number[], order: number[]): RunResult {
  const server = new TableServer()
  const seed = new Writer(server, 'setup', 1)
  seed.doc.transact(() => {
    seed.doc.getMap('docs').set('notes', new Y.Text(BASE))
    const r1 = new Y.Map<unknown>()
    seed.doc.getMap('records').set('r1', r1)
    r1.set('title', 'Intro')
    r1.set('status', 'todo')
    const meta = new Y.Map<unknown>()
    r1.set('meta', meta)
    meta.set('owner', 'ann')
    seed.doc.getMap('meta').set('title', 'Workspace')
  })
  seed.pushEach()
  const writers = s.sides.map((side, i) => new Writer(server, side.principal, ids[i]))
  for (const w of writers) w.pull()
  s.prelude?.(writers)
  // Every side makes its edits before seeing any other side's (concurrent by construction).
  const messages: Array<Array<() => void>> = s.sides.map((side, i) => {
    const w = writers[i]
    if (side.mode === 'offline') {
      w.goOffline()
      for (const e of side.edits) e(w.doc)
      return side.edits.length > 0 ? [() => w.reconnect()] : []
    }
    return side.edits.map((e) => {
      e(w.doc)
      const parts = w.outbox.splice(0)
      return () => {
        for (const u of parts) server.integrate(u, w, 'update')
      }
    })
  })
  for (const i of order) messages[i].shift()?.()
  for (const w of writers) w.pull()
  for (const w of writers) expect(JSON.stringify(w.doc.getMap('docs').toJSON())).toBe(JSON.stringify(server.doc.getMap('docs').toJSON()))
  const records = [...server.records.values()]
  return { summaries: records.map(summarize), ids: records.map((r) => r.id).sort() }
}

describe('conflict scenario table (in process)', () => {
  const totals = { runs: 0, expected: 0, found: 0, truePositive: 0 }
  const idOrders = (n: number) => [Array.from({ length: n }, (_, i) => 10 * (i + 1)), Array.from({ length: n }, (_, i) => 10 * (n - i))]
  for (const s of SCENARIOS) {
    it(s.name, () => {
      const counts = s.sides.map((side) => (side.mode === 'offline' ? (side.edits.length > 0 ? 1 : 0) : side.edits.length))
      const orders = interleavings(counts)
      for (const ids of idOrders(s.sides.length)) {
        let firstIds: string[] | null = null
        for (const order of orders) {
          const { summaries, ids: recordIds } = run(s, ids, order)
          const want = new Set(s.expect.map(key))
          const got = summaries.map(key)
          totals.runs++
          totals.expected += want.size
          totals.found += got.length
          totals.truePositive += got.filter((k) => want.has(k)).length
          expect(summaries.map(key).sort(), `client ids ${ids.join(',')}, arrival order ${order.join('')}`).toEqual([...want].sort())
          // Same scenario, same record ids, whatever the arrival order.
          firstIds ??= recordIds
          expect(recordIds, `ids in arrival order ${order.join('')}`).toEqual(firstIds)
        }
      }
    })
  }
  it('prints the table size, precision and recall', () => {
    const precision = totals.found === 0 ? 1 : totals.truePositive / totals.found
    const recall = totals.expected === 0 ? 1 : totals.truePositive / totals.expected
    console.log(
      `[conflict table] ${SCENARIOS.length} scenarios, ${totals.runs} runs (every arrival order, both client-id orders): precision ${(precision * 100).toFixed(1)} %, recall ${(recall * 100).toFixed(1)} %`,
    )
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(40)
    expect(precision).toBe(1)
    expect(recall).toBe(1)
  })
})
