// [review] Operational conflicts through the real server: stock clients go offline, write,
// come back; the detector records exactly the expected conflicts; resolution writes back.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { httpJson, type JsonResponse } from './helpers/http.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'

const t = useHarness()
/** The clients join() opened, for a restart that must first see them all leave. */
const joined: StockClient[] = []

const join = async (who: string) => {
  const c = t.stock('w1/shared', who)
  joined.push(c)
  await synced(c)
  return c
}

const api = <T>(who: string, method: string, path: string, body?: unknown): Promise<JsonResponse<T>> => httpJson<T>(t.server.url + path, { method, token: token(who), body })

const conflicts = async (status = 'all') => (await api<{ conflicts: ConflictRecord[] }>('alice', 'GET', `/api/workspaces/w1/conflicts?status=${status}`)).json.conflicts

/** Both clients edit while disconnected, then reconnect in the given order and settle. */
async function offlineRound(a: StockClient, b: StockClient, edit: (a: Y.Doc, b: Y.Doc) => void, order: 'ab' | 'ba') {
  a.provider.disconnect()
  b.provider.disconnect()
  edit(a.doc, b.doc)
  const [first, second] = order === 'ab' ? [a, b] : [b, a]
  first.provider.connect()
  await synced(first)
  second.provider.connect()
  await synced(second)
  await waitFor(() => Y.encodeStateAsUpdate(a.doc).length > 0 && equalDocs(a.doc, b.doc), 'clients to converge')
}

function equalDocs(a: Y.Doc, b: Y.Doc): boolean {
  return (
    JSON.stringify(a.getMap('meta').toJSON()) === JSON.stringify(b.getMap('meta').toJSON()) &&
    JSON.stringify(a.getMap('docs').toJSON()) === JSON.stringify(b.getMap('docs').toJSON())
  )
}

async function twoWritersWithText(text: string) {
  const alice = await join('alice')
  const bob = await join('bob')
  const t = new Y.Text()
  alice.doc.getMap('docs').set('draft', t)
  t.insert(0, text)
  await waitFor(() => (bob.doc.getMap('docs').get('draft') as Y.Text | undefined)?.toString() === text, 'bob to get the draft')
  return { alice, bob }
}

/** Alice and Bob retitle the workspace while both offline: one map conflict, A vs B. */
async function titleConflict() {
  const writers = await twoWritersWithText('x')
  await offlineRound(
    writers.alice,
    writers.bob,
    (a, b) => {
      a.getMap('meta').set('title', 'A')
      b.getMap('meta').set('title', 'B')
    },
    'ab',
  )
  await waitFor(async () => (await conflicts()).length === 1, 'one conflict')
  return writers
}

const draft = (c: StockClient) => c.doc.getMap('docs').get('draft') as Y.Text

describe('conflicts through the server', () => {
  for (const order of ['ab', 'ba'] as const) {
    it(`concurrent writes of one key give one conflict with both values (arrival ${order})`, async () => {
      const server = await t.start()
      const { alice, bob } = await twoWritersWithText('x')
      await offlineRound(
        alice,
        bob,
        (a, b) => {
          a.getMap('meta').set('title', 'Alice title')
          b.getMap('meta').set('title', 'Bob title')
        },
        order,
      )
      await waitFor(async () => (await conflicts()).length === 1, 'one conflict')
      const [c] = await conflicts()
      expect(c.kind).toBe('map-key-overwrite')
      expect(c.location).toEqual({ kind: 'map', path: ['meta', 'title'] })
      expect(c.parties).toEqual([
        { principal: 'alice', value: 'Alice title', typed: { t: 'json', v: 'Alice title' } },
        { principal: 'bob', value: 'Bob title', typed: { t: 'json', v: 'Bob title' } },
      ])
      expect(c.arose).toBe('offline')
      // What stands is the value Yjs kept (decided by client ids), read from the document now.
      const room = await server.core.room('w1/shared')
      expect(c.current).toBe(room.doc.getMap('meta').get('title'))
    })
  }

  it('sequential writes are not conflicts', async () => {
    const server = await t.start()
    const { alice, bob } = await twoWritersWithText('x')
    alice.doc.getMap('meta').set('title', 'first')
    await waitFor(() => bob.doc.getMap('meta').get('title') === 'first', 'bob sees first')
    bob.doc.getMap('meta').set('title', 'second')
    await waitFor(() => alice.doc.getMap('meta').get('title') === 'second', 'alice sees second')
    draft(alice).insert(0, 'A ')
    await waitFor(() => draft(bob).toString().startsWith('A '), 'bob sees the insert')
    draft(bob).delete(0, 2)
    await waitFor(() => draft(alice).toString() === 'x', 'alice sees the delete')
    const room = await server.core.room('w1/shared')
    await room.drain()
    expect(await conflicts()).toEqual([])
  })

  it('rewriting the same words offline is one text conflict; resolving picks a side for everyone', async () => {
    const server = await t.start()
    const base = 'The quick brown fox jumps. A second paragraph stays.'
    const { alice, bob } = await twoWritersWithText(base)
    await offlineRound(
      alice,
      bob,
      (a, b) => {
        const ta = a.getMap('docs').get('draft') as Y.Text
        const tb = b.getMap('docs').get('draft') as Y.Text
        ta.delete(4, 5)
        ta.insert(4, 'fast')
        tb.delete(4, 5)
        tb.insert(4, 'slow')
      },
      'ab',
    )
    await waitFor(async () => (await conflicts('open')).length === 1, 'one text conflict')
    const [c] = await conflicts('open')
    expect(c.kind).toBe('overlapping-text-edit')
    expect(c.location.kind === 'text' && c.location.text).toBe('quick')
    expect(c.parties.map((p) => p.principal)).toEqual(['alice', 'bob'])

    // A reviewer may not: resolving writes into the shared document (shared/conflicts/policy.ts).
    const refused = await api<{ error: { code: string; message: string } }>('rita', 'POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { pick: 'bob' })
    expect(refused.status).toBe(403)
    expect(refused.json.error.message).toMatch(/only owners and editors/)
    const res = await api<ConflictRecord>('agent-c', 'POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { pick: 'bob' })
    expect(res.status).toBe(200)
    expect(res.json.resolution).toMatchObject({ by: 'agent-c', choice: 'bob' })
    const expected = 'The ' + String(c.parties.find((p) => p.principal === 'bob')!.value) + ' brown fox jumps. A second paragraph stays.'
    await waitFor(
      () => draft(alice).toString() === expected && draft(bob).toString() === expected,
      `resolution to reach both: "${draft(alice).toString()}" / expected "${expected}"`,
    )
    // The resolution is an edit made having seen both sides: it is not a new conflict.
    await (await server.core.room('w1/shared')).drain()
    expect(await conflicts('open')).toEqual([])
    const again = await api<{ error: { code: string } }>('alice', 'POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { value: 'x' })
    expect(again.status).toBe(409)
    expect((await conflicts('resolved')).map((r) => r.id)).toEqual([c.id])
  })

  it('edits of different paragraphs made offline are not conflicts', async () => {
    const server = await t.start()
    const { alice, bob } = await twoWritersWithText('First paragraph here.\n\nSecond paragraph here.')
    await offlineRound(
      alice,
      bob,
      (a, b) => {
        ;(a.getMap('docs').get('draft') as Y.Text).delete(0, 5)
        ;(b.getMap('docs').get('draft') as Y.Text).insert(30, 'NEW ')
      },
      'ba',
    )
    const room = await server.core.room('w1/shared')
    await room.drain()
    expect(await conflicts()).toEqual([])
  })

  it('resolving a map conflict with a new value writes it; viewers may not resolve', async () => {
    await t.start()
    const { bob } = await titleConflict()
    const [c] = await conflicts()
    expect((await api('vic', 'POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { value: 'V' })).status).toBe(403)
    expect((await api('alice', 'POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { pick: 'nobody' })).status).toBe(400)
    const ok = await api<ConflictRecord>('alice', 'POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { value: 'Agreed title' })
    expect(ok.json.resolution).toMatchObject({ by: 'alice', choice: 'custom', value: 'Agreed title' })
    await waitFor(() => bob.doc.getMap('meta').get('title') === 'Agreed title', 'bob sees the resolution')
  })

  it('conflicts survive a restart and replaying the log does not duplicate them', async () => {
    let server = await t.start()
    await titleConflict()
    for (const c of joined.splice(0)) c.destroy()
    server = await server.restart()
    await server.core.room('w1/shared') // replays the stored log through the detector
    expect((await conflicts()).length).toBe(1)
  })

  it('a refused concurrent claim is recorded as a claim race', async () => {
    await t.start()
    await api('alice', 'POST', '/api/workspaces/w1/tasks', { id: 't1', title: 'Write the intro' })
    const [a, b] = await Promise.all([
      api('agent-a', 'POST', '/api/workspaces/w1/tasks/t1/claim', { ttlMs: 60_000 }),
      api('agent-b', 'POST', '/api/workspaces/w1/tasks/t1/claim', { ttlMs: 60_000 }),
    ])
    expect([a.status, b.status].sort()).toEqual([200, 409])
    const races = (await conflicts()).filter((c) => c.kind === 'claim-race')
    expect(races).toHaveLength(1)
    expect(races[0].location).toEqual({ kind: 'task', taskId: 't1' })
    expect(races[0].parties.map((p) => p.principal).sort()).toEqual(['agent-a', 'agent-b'])
  })

  it('a client writing an incompatible schema version is a schema mismatch; resolving restores the version', async () => {
    await t.start()
    const alice = await join('alice')
    const bob = await join('bob')
    bob.doc.getMap('meta').set('schemaVersion', 2)
    await waitFor(async () => (await conflicts()).length === 1, 'a schema mismatch')
    const [c] = await conflicts()
    expect(c.kind).toBe('schema-mismatch')
    expect(c.location).toEqual({ kind: 'schema', expected: 1, found: 2 })
    expect(c.parties).toEqual([
      { principal: 'bob', value: 2 },
      { principal: 'polyphony-server', value: 1 },
    ])
    const res = await api<ConflictRecord>('alice', 'POST', `/api/workspaces/w1/conflicts/${c.id}/resolve`, { pick: 'polyphony-server' })
    expect(res.status).toBe(200)
    await waitFor(() => alice.doc.getMap('meta').get('schemaVersion') === 1 && bob.doc.getMap('meta').get('schemaVersion') === 1, 'version restored')
  })
})
