// [precision] The conflict scenario table's real-server subset: stock y-websocket clients through
// the real server, in both arrival orders, for each kind of collision; resolution of each kind
// restores the chosen side's structure exactly and opens nothing new (the log is checked after
// resolving and after a restart); restarts between the two sides; a dropped connection (a TCP
// proxy that blackholes) whose owner rewrites offline what the server had sent it.
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { httpJson } from './helpers/http.ts'
import { ChaosHarness, agentOffline } from './chaos/harness.ts'
import { SERVER_PRINCIPAL } from '../shared/model.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'

const h = new ChaosHarness()
const t = useHarness()
afterEach(() => h.cleanup())
/** The clients join() opened, for a restart that must first see them all leave. */
const joined: StockClient[] = []

const join = async (who: string, opts: { doc?: Y.Doc; url?: string } = {}) => {
  const c = t.stock('w1/shared', who, { doc: opts.doc, server: opts.url ? { wsUrl: opts.url } : undefined })
  joined.push(c)
  await synced(c)
  return c
}

async function list(status = 'all'): Promise<ConflictRecord[]> {
  const res = await httpJson<{ conflicts: ConflictRecord[]; next: string | null }>(`${t.server.url}/api/workspaces/w1/conflicts?status=${status}`, { token: token('alice') })
  expect(res.status).toBe(200)
  return res.json.conflicts
}

/** The log without what is computed when listing (current values). */
const logged = async () => (await list()).map(({ current: _current, context: _context, ...r }) => r)

async function settle(): Promise<void> {
  const room = await t.server.core.room('w1/shared')
  await room.drain()
}

/** Both go offline, edit, come back in `order`; waits until both hold the same document. */
async function offlineRound(a: StockClient, b: StockClient, edit: (a: Y.Doc, b: Y.Doc) => void, order: 'ab' | 'ba') {
  a.provider.disconnect()
  b.provider.disconnect()
  edit(a.doc, b.doc)
  const [first, second] = order === 'ab' ? [a, b] : [b, a]
  first.provider.connect()
  await synced(first)
  await settle()
  second.provider.connect()
  await synced(second)
  await waitFor(() => JSON.stringify(a.doc.toJSON()) === JSON.stringify(b.doc.toJSON()), 'clients to converge')
  await settle()
}

async function resolve(id: string, body: unknown) {
  return httpJson<ConflictRecord & { error?: { code: string } }>(`${t.server.url}/api/workspaces/w1/conflicts/${id}/resolve`, { method: 'POST', token: token('alice'), body })
}

/** After a resolution: nothing new was opened, and a restart leaves the log exactly as it was. */
async function expectLogStableAcrossRestart(): Promise<void> {
  await settle()
  const before = await logged()
  expect(before.filter((r) => r.status === 'open')).toEqual([])
  for (const c of joined.splice(0)) c.destroy()
  await t.server.restart()
  await t.server.core.room('w1/shared') // replays the stored log through the detector
  expect(await logged()).toEqual(before)
}

const records = (d: Y.Doc) => d.getMap('records')
const draft = (d: Y.Doc) => d.getMap('docs').get('draft') as Y.Text

async function withDraft(text: string) {
  const alice = await join('alice')
  const bob = await join('bob')
  alice.doc.getMap('docs').set('draft', new Y.Text(text))
  await waitFor(() => draft(bob.doc)?.toString() === text, 'bob to get the draft')
  return { alice, bob }
}

describe('conflict table through the real server', () => {
  for (const order of ['ab', 'ba'] as const) {
    it(`a nested Y.Map created twice: one record with each side's full content; picking the side that lost restores it as a Y.Map (arrival ${order})`, async () => {
      const server = await t.start()
      const { alice, bob } = await withDraft('x')
      await offlineRound(
        alice,
        bob,
        (a, b) => {
          const ma = new Y.Map<unknown>()
          ma.set('title', 'Alpha')
          ma.set('body', new Y.Text('alpha body'))
          records(a).set('r1', ma)
          const mb = new Y.Map<unknown>()
          mb.set('title', 'Beta')
          mb.set('tags', Y.Array.from(['x', 'y']))
          records(b).set('r1', mb)
        },
        order,
      )
      const [c] = await list()
      expect((await list()).length).toBe(1)
      expect(c.location).toEqual({ kind: 'map', path: ['records', 'r1'] })
      expect(c.parties.map((p) => [p.principal, p.value])).toEqual([
        ['alice', { title: 'Alpha', body: 'alpha body' }],
        ['bob', { title: 'Beta', tags: ['x', 'y'] }],
      ])
      const room = await server.core.room('w1/shared')
      const kept = (records(room.doc).get('r1') as Y.Map<unknown>).get('title')
      const loser = kept === 'Alpha' ? 'bob' : 'alice'
      expect(c.current).toEqual(c.parties.find((p) => p.principal !== loser)?.value)
      expect((await resolve(c.id, { pick: loser })).status).toBe(200)
      const r1 = records(room.doc).get('r1')
      expect(r1).toBeInstanceOf(Y.Map)
      if (loser === 'alice') expect((r1 as Y.Map<unknown>).get('body')).toBeInstanceOf(Y.Text)
      else expect((r1 as Y.Map<unknown>).get('tags')).toBeInstanceOf(Y.Array)
      expect((r1 as Y.Map<unknown>).toJSON()).toEqual(c.parties.find((p) => p.principal === loser)?.value)
      await waitFor(() => JSON.stringify(records(alice.doc).toJSON()) === JSON.stringify(records(room.doc).toJSON()), 'alice to get the resolution')
      await expectLogStableAcrossRestart()
    })

    it(`delete vs set is recorded; resolving restores either side (arrival ${order})`, async () => {
      const server = await t.start()
      const { alice, bob } = await withDraft('x')
      const m = new Y.Map<unknown>()
      records(alice.doc).set('r2', m)
      m.set('status', 'todo')
      await waitFor(() => (records(bob.doc).get('r2') as Y.Map<unknown> | undefined)?.get('status') === 'todo', 'bob to get r2')
      const events: ConflictRecord[] = []
      server.conflicts.on('conflict', (_ws, r) => events.push(r))
      await offlineRound(
        alice,
        bob,
        (a, b) => {
          ;(records(a).get('r2') as Y.Map<unknown>).delete('status')
          ;(records(b).get('r2') as Y.Map<unknown>).set('status', 'done')
        },
        order,
      )
      const all = await list()
      expect(all.map((r) => [r.kind, r.location, r.parties.map((p) => [p.principal, p.deleted ?? false, p.value])])).toEqual([
        [
          'map-key-overwrite',
          { kind: 'map', path: ['records', 'r2', 'status'] },
          [
            ['alice', true, null],
            ['bob', false, 'done'],
          ],
        ],
      ])
      const room = await server.core.room('w1/shared')
      const r2 = () => records(room.doc).get('r2') as Y.Map<unknown>
      expect(all[0].current).toBe('done') // Yjs keeps the set
      expect(events.map((e) => [e.id, e.current])).toEqual([[all[0].id, 'done']]) // live listeners see it too
      expect((await resolve(all[0].id, { pick: 'alice' })).status).toBe(200)
      expect(r2().has('status')).toBe(false)
      await expectLogStableAcrossRestart()
    })
  }

  it('a party joining a collision after it was resolved opens a follow-up record, not nothing', async () => {
    await t.start()
    const { alice, bob } = await withDraft('x')
    const carol = await join('agent-c')
    await waitFor(() => draft(carol.doc)?.toString() === 'x', 'agent-c to get the draft')
    carol.provider.disconnect()
    carol.doc.getMap('meta').set('title', 'C')
    await offlineRound(
      alice,
      bob,
      (a, b) => {
        a.getMap('meta').set('title', 'A')
        b.getMap('meta').set('title', 'B')
      },
      'ab',
    )
    const [first] = await list()
    expect((await resolve(first.id, { pick: 'bob' })).status).toBe(200)
    await settle()
    carol.provider.connect()
    await synced(carol)
    await settle()
    const open = await list('open')
    expect(open).toHaveLength(1)
    expect(open[0].id).not.toBe(first.id)
    expect(open[0].parties.map((p) => p.principal)).toContain('agent-c')
    expect(open[0].parties.find((p) => p.principal === 'agent-c')?.value).toBe('C')
    expect((await list('resolved')).map((r) => r.id)).toEqual([first.id])
  })

  it('resolving in a room the server wrote earlier opens nothing new, before or after a restart', async () => {
    const server = await t.start()
    const room = await server.core.room('w1/shared')
    // Seeded the way the demo does: written by the server itself.
    await room.writeAsServer(SERVER_PRINCIPAL, 'seed', (d) => {
      d.getMap('meta').set('title', 'Seeded')
      d.getMap('docs').set('draft', new Y.Text('The quick brown fox.'))
    })
    const alice = await join('alice')
    const bob = await join('bob')
    await offlineRound(
      alice,
      bob,
      (a, b) => {
        a.getMap('meta').set('title', 'A')
        b.getMap('meta').set('title', 'B')
        draft(a).delete(4, 5)
        draft(a).insert(4, 'fast')
        draft(b).delete(4, 5)
        draft(b).insert(4, 'slow')
      },
      'ab',
    )
    const found = await list()
    expect(found.map((r) => [r.kind, r.parties.map((p) => p.principal)]).sort()).toEqual([
      ['map-key-overwrite', ['alice', 'bob']],
      ['overlapping-text-edit', ['alice', 'bob']],
    ])
    for (const r of found) expect((await resolve(r.id, { pick: 'bob' })).status).toBe(200)
    expect(room.doc.getMap('meta').get('title')).toBe('B')
    expect(draft(room.doc).toString()).toBe('The slow brown fox.')
    await expectLogStableAcrossRestart()
  })

  it('identical replacements duplicate text: recorded with what each meant and the duplicated text; picking one leaves one copy', async () => {
    const server = await t.start()
    const { alice, bob } = await withDraft('A reliable source said so.')
    await offlineRound(
      alice,
      bob,
      (a, b) => {
        for (const d of [a, b]) {
          draft(d).delete(2, 8)
          draft(d).insert(2, 'unreliable')
        }
      },
      'ba',
    )
    const [c, ...rest] = await list()
    expect(rest).toEqual([])
    expect(c.kind).toBe('duplicated-text')
    expect(c.parties.map((p) => [p.principal, p.value])).toEqual([
      ['alice', 'unreliable'],
      ['bob', 'unreliable'],
    ])
    expect(c.current).toBe('unreliableunreliable')
    expect(c.context).toEqual({ before: 'A ', after: ' source said so.' })
    expect((await resolve(c.id, { pick: 'alice' })).status).toBe(200)
    const room = await server.core.room('w1/shared')
    expect(draft(room.doc).toString()).toBe('A unreliable source said so.')
    await expectLogStableAcrossRestart()
  })

  for (const [order, compact] of [
    ['ab', false],
    ['ba', false],
    ['ab', true],
  ] as const) {
    it(`a restart between the two sides: the second side is still compared with the first (arrival ${order}${compact ? ', log compacted into a snapshot' : ''})`, async () => {
      let server = await t.start()
      const { alice, bob } = await withDraft('The quick fox.')
      alice.provider.disconnect()
      bob.provider.disconnect()
      alice.doc.getMap('meta').set('title', 'A')
      bob.doc.getMap('meta').set('title', 'B')
      for (const [c, word] of [
        [alice, 'fast'],
        [bob, 'slow'],
      ] as const) {
        draft(c.doc).delete(4, 5)
        draft(c.doc).insert(4, word)
      }
      const [first, second] = order === 'ab' ? [alice, bob] : [bob, alice]
      first.provider.connect()
      await synced(first)
      await settle()
      if (compact) await (await server.core.room('w1/shared')).compactIfNeeded(true)
      first.destroy()
      const secondDoc = second.doc
      second.provider.destroy()
      server = await server.restart()
      await join(second === alice ? 'alice' : 'bob', { doc: secondDoc })
      // A snapshot keeps who wrote each map value (durable client owners), not who deleted which
      // text: after compaction only the key collision is found (docs/conflicts.md, Limits).
      const expected = [
        [
          'map-key-overwrite',
          [
            ['alice', 'A'],
            ['bob', 'B'],
          ],
          'after-restart',
        ],
        ...(compact
          ? []
          : [
              [
                'overlapping-text-edit',
                [
                  ['alice', 'fast'],
                  ['bob', 'slow'],
                ],
                'after-restart',
              ],
            ]),
      ]
      await waitFor(async () => (await list()).length === expected.length, 'the conflicts after the restart')
      await settle()
      expect((await list()).map((c) => [c.kind, c.parties.map((p) => [p.principal, p.value]), c.arose]).sort()).toEqual(expected)
    })
  }

  for (const order of ['server-first', 'offline-first'] as const) {
    it(`a dropped connection: what the server sent to a dead socket was not seen (${order})`, async () => {
      const server = await t.start()
      const bobLink = await h.proxy(server.port)
      const aliceLink = await h.proxy(server.port)
      const aliceDoc = new Y.Doc()
      const bobDoc = new Y.Doc()
      const alice = await join('alice', { doc: aliceDoc, url: aliceLink.wsUrl })
      const bob = await join('bob', { doc: bobDoc, url: bobLink.wsUrl })
      aliceDoc.getMap('docs').set('draft', new Y.Text('The quick brown fox.'))
      await waitFor(() => draft(bobDoc)?.toString() === 'The quick brown fox.', 'bob to get the draft')
      await settle()
      const room = await server.core.room('w1/shared')
      // A network dies without a close: the server keeps a socket that reads nothing, and a
      // client that gives up on it reconnects on a working path with the same document.
      const dies = (link: typeof bobLink, client: StockClient) => {
        link.stall('both')
        client.provider.shouldConnect = false
      }
      dies(bobLink, bob)
      if (order === 'server-first') {
        draft(aliceDoc).delete(4, 5)
        draft(aliceDoc).insert(4, 'fast')
        await waitFor(() => draft(room.doc).toString().includes('fast'), "the server to apply alice's edit (sent to bob's dead socket)")
      } else {
        dies(aliceLink, alice)
        draft(aliceDoc).delete(4, 5)
        draft(aliceDoc).insert(4, 'fast')
      }
      draft(bobDoc).delete(4, 5)
      draft(bobDoc).insert(4, 'slow')
      await join('bob', { doc: bobDoc })
      await waitFor(() => draft(room.doc).toString().includes('slow'), "bob's rewrite to arrive")
      if (order === 'offline-first') {
        await settle()
        await join('alice', { doc: aliceDoc })
        await waitFor(() => draft(room.doc).toString().includes('fast'), "alice's rewrite to arrive second")
      }
      await settle()
      const found = await list()
      expect(found.map((r) => [r.kind, r.parties.map((p) => [p.principal, p.value])])).toEqual([
        [
          'overlapping-text-edit',
          [
            ['alice', 'fast'],
            ['bob', 'slow'],
          ],
        ],
      ])
    })
  }

  for (const order of ['ab', 'ba'] as const) {
    it(`SDK agents offline: a nested record created twice and a delete vs set, each one record (arrival ${order})`, async () => {
      const server = await t.start()
      const links = [await h.proxy(server.port), await h.proxy(server.port)]
      const a = await h.agent(links[0].url, 'agent-a')
      const b = await h.agent(links[1].url, 'agent-b')
      a.shared.transact(() => a.shared.getMap('meta').set('title', 'Start'))
      await a.flushed()
      await waitFor(() => b.shared.getMap('meta').get('title') === 'Start', 'agent-b to get the title')
      for (const l of links) l.partition()
      await Promise.all([agentOffline(a), agentOffline(b)])
      a.shared.transact(() => {
        records(a.shared).set(
          'r1',
          new Y.Map<unknown>([
            ['title', 'From A'],
            ['n', 1],
          ]),
        )
        a.shared.getMap('meta').delete('title')
      })
      b.shared.transact(() => {
        records(b.shared).set(
          'r1',
          new Y.Map<unknown>([
            ['title', 'From B'],
            ['n', 2],
          ]),
        )
        b.shared.getMap('meta').set('title', 'B title')
      })
      const [first, second] =
        order === 'ab'
          ? ([
              [links[0], a],
              [links[1], b],
            ] as const)
          : ([
              [links[1], b],
              [links[0], a],
            ] as const)
      first[0].heal()
      await first[1].flushed()
      await settle()
      second[0].heal()
      await second[1].flushed()
      await settle()
      const found = await list()
      expect(
        found.map((r) => [r.kind, r.location.kind === 'map' ? r.location.path.join('.') : '', r.parties.map((p) => [p.principal, p.deleted ? 'DELETED' : p.value])]).sort(),
      ).toEqual([
        [
          'map-key-overwrite',
          'meta.title',
          [
            ['agent-a', 'DELETED'],
            ['agent-b', 'B title'],
          ],
        ],
        [
          'map-key-overwrite',
          'records.r1',
          [
            ['agent-a', { title: 'From A', n: 1 }],
            ['agent-b', { title: 'From B', n: 2 }],
          ],
        ],
      ])
    })
  }

  it('claim races are decided events, not resolvable; the list is paginated', async () => {
    const server = await t.start()
    const api = (who: string, method: string, path: string, body?: unknown) =>
      httpJson<{ error?: { code: string; message: string } }>(server.url + path, { method, token: token(who), body })
    await api('alice', 'POST', '/api/workspaces/w1/tasks', { id: 't1', title: 'T' })
    await Promise.all([
      api('agent-a', 'POST', '/api/workspaces/w1/tasks/t1/claim', { ttlMs: 60_000 }),
      api('agent-b', 'POST', '/api/workspaces/w1/tasks/t1/claim', { ttlMs: 60_000 }),
    ])
    const { alice, bob } = await withDraft('x')
    await offlineRound(
      alice,
      bob,
      (a, b) => {
        a.getMap('meta').set('title', 'A')
        b.getMap('meta').set('title', 'B')
      },
      'ab',
    )
    const all = await list()
    const race = all.find((r) => r.kind === 'claim-race')
    expect(race?.status).toBe('decided')
    expect((await list('open')).map((r) => r.kind)).toEqual(['map-key-overwrite'])
    const refused = await resolve(race?.id ?? '', { pick: 'agent-a' })
    expect([refused.status, refused.json.error?.code]).toEqual([409, 'decided'])
    const first = await httpJson<{ conflicts: ConflictRecord[]; next: string | null }>(`${server.url}/api/workspaces/w1/conflicts?status=all&limit=1`, { token: token('alice') })
    expect(first.json.conflicts).toHaveLength(1)
    expect(first.json.next).toEqual(expect.any(String))
    const second = await httpJson<{ conflicts: ConflictRecord[]; next: string | null }>(`${server.url}/api/workspaces/w1/conflicts?status=all&limit=1&cursor=${first.json.next}`, {
      token: token('alice'),
    })
    expect(second.json.conflicts.map((r) => r.id)).toEqual([all[1].id])
    const bad = await httpJson<{ error: { message: string } }>(`${server.url}/api/workspaces/w1/conflicts?cursor=nonsense`, { token: token('alice') })
    expect(bad.status).toBe(400)
    expect(bad.json.error.message).toMatch(/next/)
    expect((await httpJson(`${server.url}/api/workspaces/w1/conflicts?limit=100000`, { token: token('alice') })).status).toBe(400)
  })
})
