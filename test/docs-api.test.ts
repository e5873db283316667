// [reach] The document REST API against a real server: list, read as JSON and Markdown, PUT
// (create/replace, attributed), edits by quote and by versioned range (mapped through a
// concurrent edit, or 409 with what changed), role refusals, idempotency, annotations.

import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { waitFor } from './helpers/wait.ts'
import { documentText } from '../shared/documents.ts'
import { synced } from './helpers/clients.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'
import * as Y from 'yjs'

const t = useHarness()
beforeAll(() => t.start())

interface Answer<T = Record<string, unknown>> {
  status: number
  body: T
  text: string
  headers: Headers
}

async function call<T = Record<string, unknown>>(
  who: string,
  method: string,
  path: string,
  opts: { json?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${who === 'admin' ? ADMIN_TOKEN : token(who)}`, ...opts.headers }
  let body: string | undefined
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json)
    headers['content-type'] = 'application/json'
  } else if (opts.raw !== undefined) {
    body = opts.raw
    headers['content-type'] = opts.contentType ?? 'text/markdown'
  }
  const res = await fetch(`${t.server.url}/api${path}`, { method, headers, body })
  const text = await res.text()
  let parsed: unknown = null
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = null
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers }
}

const sharedText = async (id: string, ws = 'w1') => documentText((await t.server.core.room(`${ws}/shared`)).doc, id)?.toString() ?? null

describe('documents: create, read, list', () => {
  it('PUT creates a document (201) and replaces it (200); GET returns text, title, version and an ETag', async () => {
    const created = await call('bob', 'PUT', '/workspaces/w1/docs/plan', { json: { text: 'First draft.', title: 'The plan' } })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ id: 'plan', title: 'The plan', size: 12, created: true })
    const replaced = await call('bob', 'PUT', '/workspaces/w1/docs/plan', { json: { text: 'Second draft.' } })
    expect(replaced.status).toBe(200)
    expect(replaced.body).toMatchObject({ created: false, title: 'The plan' })
    const read = await call<{ text: string; title: string; version: string }>('vic', 'GET', '/workspaces/w1/docs/plan')
    expect(read.status).toBe(200)
    expect(read.body.text).toBe('Second draft.')
    expect(read.body.title).toBe('The plan')
    expect(read.body.version).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(read.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/)
    const again = await call('vic', 'GET', '/workspaces/w1/docs/plan', { headers: { 'if-none-match': read.headers.get('etag')! } })
    expect(again.status).toBe(304)
  })

  it('a PUT is an attributed write by the caller (stored history names the principal)', async () => {
    await call('agent-b', 'PUT', '/workspaces/w1/docs/attributed', { json: { text: 'by agent-b' } })
    const history = await t.server.storage.history('w1/shared')
    expect(history.at(-1)!.principal).toBe('agent-b')
  })

  it('a replace rewrites only what differs: a concurrent edit elsewhere survives', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/keep', { json: { text: 'alpha beta gamma' } })
    const agent = await t.agent('agent-a')
    agent.edit('keep', (t) => t.insert(0, '>> '))
    await agent.flushed()
    await call('bob', 'PUT', '/workspaces/w1/docs/keep', { json: { text: '>> alpha BETA gamma' } })
    expect(await sharedText('keep')).toBe('>> alpha BETA gamma')
  })

  it('lists documents with id, title, size and the last change', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/listed', { json: { text: 'twelve chars', title: 'Listed' } })
    const list = await call<{ docs: Array<{ id: string; title: string; size: number; lastChange: { by: string; at: number } | null }> }>('vic', 'GET', '/workspaces/w1/docs')
    expect(list.status).toBe(200)
    const entry = list.body.docs.find((d) => d.id === 'listed')
    expect(entry).toMatchObject({ id: 'listed', title: 'Listed', size: 12, lastChange: { by: 'bob' } })
    expect(entry!.lastChange!.at).toBeGreaterThan(Date.now() - 60_000)
  })

  it('Markdown round trip: PUT text/markdown, GET with Accept: text/markdown gives the same bytes', async () => {
    const md = '# Title\n\n- one\n- two *em* `code`\n\n> quote with ünïcödé and 😀\n'
    const put = await call('bob', 'PUT', '/workspaces/w1/docs/notes-md?title=Notes', { raw: md })
    expect(put.status).toBe(201)
    const got = await call('bob', 'GET', '/workspaces/w1/docs/notes-md', { headers: { accept: 'text/markdown' } })
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toMatch(/^text\/markdown/)
    expect(got.text).toBe(md)
    expect(got.headers.get('x-polyphony-version')).toMatch(/^[A-Za-z0-9_-]+$/)
    const json = await call<{ title: string }>('bob', 'GET', '/workspaces/w1/docs/notes-md')
    expect(json.body.title).toBe('Notes')
  })

  it('a deletion alone changes the version', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/del', { json: { text: 'abcdef' } })
    const before = await call<{ version: string }>('bob', 'GET', '/workspaces/w1/docs/del')
    await call('bob', 'PUT', '/workspaces/w1/docs/del', { json: { text: 'abdef' } })
    const after = await call<{ version: string }>('bob', 'GET', '/workspaces/w1/docs/del')
    expect(after.body.version).not.toBe(before.body.version)
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
  })

  it('If-Match with a stale ETag refuses the replace (412) and writes nothing', async () => {
    const first = await call('bob', 'PUT', '/workspaces/w1/docs/guarded', { json: { text: 'v1' } })
    const etag = first.headers.get('etag')!
    await call('bob', 'PUT', '/workspaces/w1/docs/guarded', { json: { text: 'v2' } })
    const stale = await call('bob', 'PUT', '/workspaces/w1/docs/guarded', { json: { text: 'v3' }, headers: { 'if-match': etag } })
    expect(stale.status).toBe(412)
    expect(stale.body).toMatchObject({ error: { code: 'version_mismatch' } })
    expect(await sharedText('guarded')).toBe('v2')
  })
})

describe('documents: last change', () => {
  it('is known for edits made over a socket before any REST call, and survives the room unloading when idle', async () => {
    const quick = await t.start({ limits: { idleRoomMs: 50 } })
    const writer = t.stock('team/shared', 'agent-b', { server: quick })
    await synced(writer)
    const early = new Y.Text()
    writer.doc.getMap('docs').set('early', early)
    early.insert(0, 'written over a socket')
    await waitFor(async () => documentText((await quick.core.room('team/shared')).doc, 'early')?.toString() === 'written over a socket', 'the server has it')
    writer.destroy()
    await waitFor(() => quick.core.stats().rooms === 0, 'the idle room unloaded', 10_000)
    const res = await fetch(`${quick.url}/api/workspaces/team/docs`, { headers: { authorization: `Bearer ${token('vic')}` } })
    const { docs } = (await res.json()) as { docs: Array<{ id: string; lastChange: { by: string; at: number } | null }> }
    expect(docs.find((d) => d.id === 'early')?.lastChange).toMatchObject({ by: 'agent-b' })
  })
})

describe('documents: the conflict detector', () => {
  it('a PUT that replaces words an offline client wrote into is one text conflict between the two principals', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/contested', { json: { text: 'The quick brown fox jumps.' } })
    const alice = t.stock('w1/shared', 'alice')
    await synced(alice)
    await waitFor(() => (alice.doc.getMap('docs').get('contested') as Y.Text | undefined)?.toString() === 'The quick brown fox jumps.', 'alice has the text')
    alice.provider.disconnect()
    // Really offline: an edit made while the socket is still closing would reach the server first.
    await waitFor(() => !alice.provider.wsconnected, 'alice offline')
    const offline = alice.doc.getMap('docs').get('contested') as Y.Text
    offline.insert(6, '-very-')
    const put = await call('bob', 'PUT', '/workspaces/w1/docs/contested', { json: { text: 'The fast brown fox jumps.' } })
    expect(put.status).toBe(200)
    alice.provider.connect()
    await synced(alice)
    const open = async () => (await call<{ conflicts: ConflictRecord[] }>('alice', 'GET', '/workspaces/w1/conflicts?status=open&doc=contested')).body.conflicts
    await waitFor(async () => (await open()).length === 1, 'one conflict on the document')
    const [c] = await open()
    expect(c.kind).toBe('overlapping-text-edit')
    expect(c.parties.map((p) => p.principal).sort()).toEqual(['alice', 'bob'])
    alice.destroy()
  })
})

describe('documents: access', () => {
  it('viewers and reviewers read but may not write; the refusal says why', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/roles', { json: { text: 'role text' } })
    for (const who of ['vic', 'rita']) {
      expect((await call(who, 'GET', '/workspaces/w1/docs/roles')).status).toBe(200)
      const put = await call(who, 'PUT', '/workspaces/w1/docs/roles', { json: { text: 'nope' } })
      expect(put.status).toBe(403)
      expect(put.body).toMatchObject({ error: { code: 'forbidden', message: expect.stringMatching(/may not edit shared documents/) } })
      const edit = await call(who, 'POST', '/workspaces/w1/docs/roles/edits', { json: { edits: [{ quote: { exact: 'role' }, text: 'x' }] } })
      expect(edit.status).toBe(403)
    }
    expect(await sharedText('roles')).toBe('role text')
  })

  it('non-members get 404, a missing token 401, an administrator without membership 403', async () => {
    expect((await call('outsider', 'GET', '/workspaces/w1/docs')).status).toBe(404)
    expect((await fetch(`${t.server.url}/api/workspaces/w1/docs`)).status).toBe(401)
    const admin = await call('admin', 'GET', '/workspaces/w1/docs')
    expect(admin.status).toBe(403)
    expect(admin.body).toMatchObject({ error: { message: expect.stringMatching(/not a member/) } })
  })

  it('bad input is refused with a message that says how to fix it', async () => {
    expect((await call('bob', 'GET', '/workspaces/w1/docs/nope')).status).toBe(404)
    const badId = await call('bob', 'PUT', '/workspaces/w1/docs/bad%20id', { json: { text: 'x' } })
    expect(badId.status).toBe(400)
    expect(badId.body).toMatchObject({ error: { message: expect.stringMatching(/must be 1-64 of/) } })
    const badBody = await call('bob', 'PUT', '/workspaces/w1/docs/x1', { json: { txt: 'x' } })
    expect(badBody.status).toBe(400)
    const noEdits = await call('bob', 'POST', '/workspaces/w1/docs/roles/edits', { json: { edits: [] } })
    expect(noEdits.status).toBe(400)
  })
})

describe('documents: edits by quote', () => {
  it('replaces the one exact occurrence', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/q1', { json: { text: 'The cat sat on the mat.' } })
    const res = await call<{ applied: Array<{ start: number; end: number }> }>('bob', 'POST', '/workspaces/w1/docs/q1/edits', {
      json: { edits: [{ quote: { exact: 'cat' }, text: 'dog' }] },
    })
    expect(res.status).toBe(200)
    expect(res.body.applied).toEqual([{ start: 4, end: 7 }])
    expect(await sharedText('q1')).toBe('The dog sat on the mat.')
  })

  it('refuses an ambiguous quote with candidates; prefix or suffix picks one', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/q2', { json: { text: 'red apple, green apple, red pear' } })
    const ambiguous = await call<{ error: { code: string; candidates: Array<{ start: number; before: string }> } }>('bob', 'POST', '/workspaces/w1/docs/q2/edits', {
      json: { edits: [{ quote: { exact: 'apple' }, text: 'plum' }] },
    })
    expect(ambiguous.status).toBe(409)
    expect(ambiguous.body.error.code).toBe('quote_ambiguous')
    expect(ambiguous.body.error.candidates.map((c) => c.start)).toEqual([4, 17])
    expect(await sharedText('q2')).toBe('red apple, green apple, red pear')
    const picked = await call('bob', 'POST', '/workspaces/w1/docs/q2/edits', { json: { edits: [{ quote: { exact: 'apple', prefix: 'green ' }, text: 'plum' }] } })
    expect(picked.status).toBe(200)
    expect(await sharedText('q2')).toBe('red apple, green plum, red pear')
  })

  it('refuses a missing quote with the nearest candidates, and writes nothing of a batch', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/q3', { json: { text: 'Experts widely agree on this claim.' } })
    const missing = await call<{ error: { code: string; message: string; candidates: Array<{ text: string }> } }>('bob', 'POST', '/workspaces/w1/docs/q3/edits', {
      json: {
        edits: [
          { quote: { exact: 'this' }, text: 'THIS' },
          { quote: { exact: 'widly agree on' }, text: 'agree' },
        ],
      },
    })
    expect(missing.status).toBe(409)
    expect(missing.body.error.code).toBe('quote_not_found')
    expect(missing.body.error.candidates[0].text).toBe('widely agree on')
    expect(missing.body.error.message).toMatch(/re-read it and quote its current text/)
    expect(await sharedText('q3')).toBe('Experts widely agree on this claim.')
  })

  it('refuses overlapping edits in one request', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/q4', { json: { text: 'one two three' } })
    const res = await call('bob', 'POST', '/workspaces/w1/docs/q4/edits', {
      json: {
        edits: [
          { quote: { exact: 'one two' }, text: 'x' },
          { quote: { exact: 'two three' }, text: 'y' },
        ],
      },
    })
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ error: { message: expect.stringMatching(/overlap/) } })
  })
})

describe('documents: edits by range with a version token', () => {
  it('a range needs the version it was computed against', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/r0', { json: { text: 'abc' } })
    const none = await call('bob', 'POST', '/workspaces/w1/docs/r0/edits', { json: { edits: [{ from: 0, to: 1, text: 'x' }] } })
    expect(none.status).toBe(400)
    expect(none.body).toMatchObject({ error: { message: expect.stringMatching(/send the version/) } })
    const forged = await call('bob', 'POST', '/workspaces/w1/docs/r0/edits', { json: { version: 'not-a-version', edits: [{ from: 0, to: 1, text: 'x' }] } })
    expect(forged.status).toBe(400)
    const { body } = await call<{ version: string }>('bob', 'GET', '/workspaces/w1/docs/r0')
    const past = await call('bob', 'POST', '/workspaces/w1/docs/r0/edits', { json: { version: body.version, edits: [{ from: 2, to: 9, text: 'x' }] } })
    expect(past.status).toBe(400)
    expect(past.body).toMatchObject({ error: { message: expect.stringMatching(/length 3/) } })
  })

  it('maps the range through a concurrent edit before it (and one after)', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/r1', { json: { text: 'Hello brave new world' } })
    const read = await call<{ version: string; text: string }>('bob', 'GET', '/workspaces/w1/docs/r1')
    const from = read.body.text.indexOf('brave')
    const to = from + 'brave'.length
    // Meanwhile another writer edits before and after the range.
    const agent = await t.agent('agent-c')
    await waitFor(() => agent.documents().includes('r1'), 'agent sees r1')
    agent.edit('r1', (t) => {
      t.insert(0, 'Oh, ')
      t.insert(t.length, '!')
    })
    await agent.flushed()
    const res = await call<{ applied: Array<{ start: number; end: number }>; version: string }>('bob', 'POST', '/workspaces/w1/docs/r1/edits', {
      json: { version: read.body.version, edits: [{ from, to, text: 'bold' }] },
    })
    expect(res.status).toBe(200)
    expect(await sharedText('r1')).toBe('Oh, Hello bold new world!')
    expect(res.body.applied).toEqual([{ start: 10, end: 14 }])
  })

  it('maps through a concurrent deletion before the range', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/r2', { json: { text: 'aaa bbb ccc' } })
    const read = await call<{ version: string }>('bob', 'GET', '/workspaces/w1/docs/r2')
    await call('agent-a', 'POST', '/workspaces/w1/docs/r2/edits', { json: { edits: [{ quote: { exact: 'aaa ' }, text: '' }] } })
    const res = await call('bob', 'POST', '/workspaces/w1/docs/r2/edits', { json: { version: read.body.version, edits: [{ from: 8, to: 11, text: 'CCC' }] } })
    expect(res.status).toBe(200)
    expect(await sharedText('r2')).toBe('bbb CCC')
  })

  it('answers 409 with what changed when the range itself was edited since the version', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/r3', { json: { text: 'keep this sentence intact' } })
    const read = await call<{ version: string }>('bob', 'GET', '/workspaces/w1/docs/r3')
    await call('agent-a', 'POST', '/workspaces/w1/docs/r3/edits', { json: { edits: [{ quote: { exact: 'sentence' }, text: 'line' }] } })
    const res = await call<{ error: { code: string; was: string; now: { text: string; start: number; end: number } } }>('bob', 'POST', '/workspaces/w1/docs/r3/edits', {
      json: { version: read.body.version, edits: [{ from: 5, to: 18, text: 'that phrase' }] },
    })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('changed')
    expect(res.body.error.was).toBe('this sentence')
    expect(res.body.error.now).toEqual({ start: 5, end: 14, text: 'this line' })
    expect(await sharedText('r3')).toBe('keep this line intact')
  })

  it('an insertion inside the range since the version is a change too', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/r4', { json: { text: 'abcdef' } })
    const read = await call<{ version: string }>('bob', 'GET', '/workspaces/w1/docs/r4')
    const edited = await call('agent-a', 'POST', '/workspaces/w1/docs/r4/edits', { json: { version: read.body.version, edits: [{ from: 3, to: 3, text: 'X' }] } })
    expect(edited.status).toBe(200)
    const res = await call('bob', 'POST', '/workspaces/w1/docs/r4/edits', { json: { version: read.body.version, edits: [{ from: 1, to: 5, text: '-' }] } })
    expect(res.status).toBe(409)
    expect(await sharedText('r4')).toBe('abcXdef')
  })

  it('a randomized batch of concurrent edits outside the ranges always maps exactly (seeded)', async () => {
    const seed = Number(process.env.SEED ?? Date.now() % 100_000)
    console.log(`docs-api range mapping seed=${seed}`)
    let s = seed
    const rand = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n)
    const base = 'The quick brown fox jumps over the lazy dog'
    for (let round = 0; round < 5; round++) {
      const id = `rand-${round}`
      await call('bob', 'PUT', `/workspaces/w1/docs/${id}`, { json: { text: base } })
      const read = await call<{ version: string }>('bob', 'GET', `/workspaces/w1/docs/${id}`)
      const target = 'brown fox'
      const from = base.indexOf(target)
      // Concurrent edits strictly before and after the target (inserts and deletions).
      const before = rand(from)
      const after = from + target.length + 1 + rand(base.length - from - target.length - 1)
      await call('agent-a', 'POST', `/workspaces/w1/docs/${id}/edits`, {
        json: {
          version: read.body.version,
          edits: [
            { from: before, to: before + (rand(2) ? 1 : 0), text: 'AB'.slice(0, rand(3)) },
            { from: after, to: after + rand(2), text: 'Z' },
          ],
        },
      })
      const now = (await sharedText(id))!
      const res = await call('bob', 'POST', `/workspaces/w1/docs/${id}/edits`, {
        json: { version: read.body.version, edits: [{ from, to: from + target.length, text: 'red cat' }] },
      })
      expect(res.status, `seed ${seed} round ${round}`).toBe(200)
      expect(await sharedText(id), `seed ${seed} round ${round}`).toBe(now.replace(target, 'red cat'))
    }
  })
})

describe('documents: idempotency', () => {
  it('a retried write with the same Idempotency-Key is answered again, not applied twice', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/idem', { json: { text: 'count: ' } })
    const edit = { json: { edits: [{ quote: { exact: 'count: ', suffix: '' }, text: 'count: +' }] }, headers: { 'idempotency-key': 'retry-1' } }
    const first = await call('bob', 'POST', '/workspaces/w1/docs/idem/edits', edit)
    const second = await call('bob', 'POST', '/workspaces/w1/docs/idem/edits', edit)
    expect(first.status).toBe(200)
    expect(second.status).toBe(200)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(second.body).toEqual(first.body)
    expect(await sharedText('idem')).toBe('count: +')
    // Without the key the same request writes again.
    await call('bob', 'POST', '/workspaces/w1/docs/idem/edits', { json: edit.json })
    expect(await sharedText('idem')).toBe('count: ++')
  })

  it('two concurrent requests with one key write once; both get the same answer', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/idem-race', { json: { text: 'n' } })
    const edit = { json: { edits: [{ quote: { exact: 'n', prefix: '' }, text: 'n+' }] }, headers: { 'idempotency-key': 'race-1' } }
    const [a, b] = await Promise.all([call('bob', 'POST', '/workspaces/w1/docs/idem-race/edits', edit), call('bob', 'POST', '/workspaces/w1/docs/idem-race/edits', edit)])
    expect([a.status, b.status]).toEqual([200, 200])
    expect(a.body).toEqual(b.body)
    expect(await sharedText('idem-race')).toBe('n+')
  })

  it('the same key for a different request is refused (422); keys are per principal', async () => {
    const key = { 'idempotency-key': 'k-2' }
    expect((await call('bob', 'PUT', '/workspaces/w1/docs/idem2', { json: { text: 'a' }, headers: key })).status).toBe(201)
    const reused = await call('bob', 'PUT', '/workspaces/w1/docs/idem2', { json: { text: 'b' }, headers: key })
    expect(reused.status).toBe(422)
    expect(reused.body).toMatchObject({ error: { code: 'idempotency_key_reused' } })
    const other = await call('agent-a', 'PUT', '/workspaces/w1/docs/idem2', { json: { text: 'b' }, headers: key })
    expect(other.status).toBe(200)
    expect(await sharedText('idem2')).toBe('b')
  })

  it('a refused write is not remembered: corrected, the same key goes through', async () => {
    const key = { 'idempotency-key': 'k-3' }
    const bad = await call('bob', 'PUT', '/workspaces/w1/docs/idem3', { json: { txt: 'typo in the field name' }, headers: key })
    expect(bad.status).toBe(400)
    const fixed = await call('bob', 'PUT', '/workspaces/w1/docs/idem3', { json: { text: 'fixed' }, headers: key })
    expect(fixed.status).toBe(201)
    expect(await sharedText('idem3')).toBe('fixed')
  })
})

describe('annotations of a namespace', () => {
  it('returns what the caller may read, resolved against the current text; others are refused', async () => {
    await call('bob', 'PUT', '/workspaces/w1/docs/annotated', { json: { text: 'Many experts agree that this works.' } })
    const agent = await t.agent('agent-b')
    await waitFor(() => agent.documents().includes('annotated'), 'agent sees the document')
    agent.annotate('annotated', { quote: 'Many experts agree' }, { label: 'vague', comment: 'Which experts?' })
    await agent.flushed()
    // Owner of the namespace and a reviewer read it (w1 is private); an editor and a viewer may not.
    for (const who of ['agent-b', 'rita', 'alice']) {
      const res = await call<{ annotations: Array<{ doc: string; body: { label: string }; resolved: { status: string; start: number; end: number } }> }>(
        who,
        'GET',
        '/workspaces/w1/namespaces/agent-b/annotations?doc=annotated',
      )
      expect(res.status, who).toBe(200)
      expect(res.body.annotations).toHaveLength(1)
      expect(res.body.annotations[0]).toMatchObject({ doc: 'annotated', body: { label: 'vague' }, resolved: { status: 'exact', start: 0, end: 18 } })
    }
    for (const who of ['bob', 'vic']) {
      const res = await call(who, 'GET', '/workspaces/w1/namespaces/agent-b/annotations')
      expect(res.status, who).toBe(403)
      expect(res.body).toMatchObject({ error: { message: expect.stringMatching(/private/) } })
    }
  })
})
