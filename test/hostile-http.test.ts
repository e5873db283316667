// [http] Hostile input at the HTTP edge, through a real server on port 0 with raw node:http.
// Every refusal is `{ error: { code, message } }` with the stated status (+ Retry-After), and the
// server stays healthy: /healthz answers fast and other principals are unaffected.

import { beforeAll, describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { ADMIN_TOKEN, startTestServer, token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { httpJson } from './helpers/http.ts'
import { openEvents } from './helpers/sse.ts'
import { waitFor } from './helpers/wait.ts'
import { openRaw, type RawSocket } from './helpers/rawSocket.ts'
import { witnessesSync } from './fixtures/witness.ts'
import { CLOSE } from '../shared/wire/index.ts'
import WebSocket from 'ws'
import { pino } from 'pino'
import { parsePrometheus } from './helpers/prometheus.ts'
import { jsonDeeperThan } from '../server/http/jsonDepth.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { MAX_AGENT_SERIES } from '../server/coord/AgentReports.ts'
import { parseServerConfig, SERVER_HELP } from '../server/config.ts'
import { startChildServer, type ChildServer } from './helpers/childServer.ts'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const MAX_BODY = 256 * 1024
const RECHECK_MS = 200

const MAX_AUTH_FAILURES = 5
const AUTH_WINDOW_MS = 60_000
const SOCKETS_PER_PRINCIPAL = 4
const CONFLICT_BUDGET = 3
const CONFLICT_WINDOW_MS = 60_000

const harness = useHarness()
/** The server's clock for failed-authentication windows: tests move it forward. */
let clockOffset = 0
/** Warnings and errors the server logged (pino JSON). */
const logs: Array<Record<string, unknown>> = []

beforeAll(async () => {
  await harness.start({
    httpLimits: {
      maxBodyBytes: MAX_BODY,
      maxEventStreamsPerPrincipal: 3,
      maxEventStreams: 6,
      eventStreamRecheckMs: RECHECK_MS,
      maxAuthFailures: MAX_AUTH_FAILURES,
      authFailureWindowMs: AUTH_WINDOW_MS,
    },
    limits: { maxConnections: 10, maxSocketsPerPrincipal: SOCKETS_PER_PRINCIPAL },
    conflictBudget: { maxPerWindow: CONFLICT_BUDGET, windowMs: CONFLICT_WINDOW_MS },
    now: () => Date.now() + clockOffset,
    logger: pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) }),
  })
})

type ErrorBody = { error: { code: string; message: string } }

/** The server answers /healthz quickly and a bystander's request works. */
async function stillHealthy(): Promise<void> {
  const t0 = performance.now()
  const health = await httpJson(`${harness.server.url}/healthz`)
  expect(health.status).toBe(200)
  expect(performance.now() - t0).toBeLessThan(500)
  const me = await httpJson<{ principal: { id: string } }>(`${harness.server.url}/api/me`, { token: token('bob') })
  expect(me.status).toBe(200)
  expect(me.json.principal.id).toBe('bob')
}

/**
 * Streams `bytes` of JSON-ish filler from a reused 64 KiB buffer (the sender itself holds almost
 * nothing), with or without a Content-Length. Resolves with the response, however early it comes.
 */
function sendLargeBody(
  path: string,
  who: string,
  bytes: number,
  withLength: boolean,
): Promise<{ status: number; body: ErrorBody; headers: Record<string, unknown>; sent: number }> {
  const chunk = Buffer.alloc(64 * 1024, 0x20) // spaces: valid JSON whitespace
  return new Promise((resolve, reject) => {
    let sent = 0
    const req = request(`${harness.server.url}${path}`, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'application/json', ...(withLength ? { 'content-length': bytes } : {}) },
    })
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => {
        req.destroy()
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as ErrorBody, headers: res.headers, sent })
      })
    })
    // The server may cut the upload after refusing it: that is the point, not a failure.
    req.on('error', (err) => (sent >= bytes ? reject(err) : undefined))
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent)
        sent += n
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}

describe('request bodies are bounded', () => {
  for (const withLength of [true, false]) {
    it(`a 50 MB body ${withLength ? 'with' : 'without'} Content-Length is refused with 413 and memory does not grow with it`, async () => {
      globalThis.gc?.()
      const before = process.memoryUsage().rss
      const res = await sendLargeBody('/api/workspaces/team/agent-reports', 'vic', 50 * 1024 * 1024, withLength)
      const grown = process.memoryUsage().rss - before
      console.log(
        `[hostile-http] 50 MB body ${withLength ? 'with' : 'without'} Content-Length: ${res.status}, RSS +${(grown / 1e6).toFixed(1)} MB, sender wrote ${(res.sent / 1e6).toFixed(1)} MB before the answer`,
      )
      expect(res.status).toBe(413)
      expect(res.body.error.code).toBe('payload_too_large')
      expect(res.body.error.message).toContain(String(MAX_BODY))
      expect(grown).toBeLessThan(40 * 1024 * 1024)
      await stillHealthy()
    })
  }

  it('a body just under the limit is still read', async () => {
    const res = await httpJson<ErrorBody>(`${harness.server.url}/api/workspaces/team/agent-reports`, {
      method: 'POST',
      token: token('agent-a'),
      body: JSON.stringify({ modelCalls: 1 }) + ' '.repeat(MAX_BODY - 100),
    })
    expect(res.status).toBe(200)
  })

  it('a 9,000-deep JSON body is a 400 that says how deep is allowed, on every body-reading route', async () => {
    const deep = '['.repeat(9000) + ']'.repeat(9000)
    for (const [path, who] of [
      ['/api/workspaces/team/agent-reports', 'vic'],
      ['/api/workspaces/team/tasks/t1/claim', 'bob'],
      ['/api/workspaces/team/members/vic', 'alice'],
      ['/api/workspaces/team/conflicts/x/resolve', 'alice'],
    ] as const) {
      const res = await httpJson<ErrorBody>(`${harness.server.url}${path}`, { method: path.includes('members') ? 'PUT' : 'POST', token: token(who), body: `{"value":${deep}}` })
      expect(res.status, path).toBe(400)
      expect(res.json.error.code).toBe('invalid_request')
      expect(res.json.error.message).toMatch(/deeper than 64 levels/)
    }
    await stillHealthy()
  })
})

describe('JSON depth is measured without parsing', () => {
  it('counts nesting of arrays and objects, not brackets inside strings (escaped quotes included)', () => {
    expect(jsonDeeperThan('[[[]]]', 3)).toBe(false)
    expect(jsonDeeperThan('[[[[]]]]', 3)).toBe(true)
    expect(jsonDeeperThan('{"a":{"b":[1,{"c":2}]}}', 4)).toBe(false)
    expect(jsonDeeperThan('{"a":{"b":[1,{"c":2}]}}', 3)).toBe(true)
    expect(jsonDeeperThan(JSON.stringify({ s: '[[[[[[\\"{{{{' }), 1)).toBe(false)
    expect(jsonDeeperThan(JSON.stringify(['"]]]', ['x']]), 1)).toBe(true)
  })
})

describe('the query token is accepted only on the event stream', () => {
  it('?token= on any other route is a 401 that says to use the Authorization header', async () => {
    const res = await httpJson<ErrorBody>(`${harness.server.url}/api/me?token=${token('bob')}`)
    expect(res.status).toBe(401)
    expect(res.json.error.code).toBe('unauthorized')
    expect(res.json.error.message).toMatch(/\?token= is accepted only on the event stream .* send Authorization: Bearer/)
    const conflicts = await httpJson<ErrorBody>(`${harness.server.url}/api/workspaces/team/conflicts?token=${token('bob')}`)
    expect(conflicts.status).toBe(401)
    const events = await openEvents(harness.server.url, 'team', token('bob'))
    expect(events.status).toBe(200)
    await events.waitForEvent('ready')
    events.close()
  })
})

/** A fresh principal (made by the admin) who is a viewer of `team`; returns its token. */
async function freshViewer(id: string): Promise<string> {
  const created = await httpJson<{ token: string }>(`${harness.server.url}/api/principals`, { method: 'POST', token: ADMIN_TOKEN, body: { id, kind: 'agent' } })
  expect(created.status).toBe(201)
  const added = await httpJson(`${harness.server.url}/api/workspaces/team/members/${id}`, { method: 'PUT', token: token('alice'), body: { role: 'viewer' } })
  expect(added.status).toBe(200)
  return created.json.token
}

describe('event streams end with access', () => {
  it('revoking a token closes its open event streams (and says why), like its sockets', async () => {
    const t = await freshViewer('sse-revoked')
    const stream = await openEvents(harness.server.url, 'team', t)
    await stream.waitForEvent('ready')
    const bystander = await openEvents(harness.server.url, 'team', token('bob'), { bearer: true })
    await bystander.waitForEvent('ready')
    const res = await httpJson<{ closedStreams: number }>(`${harness.server.url}/api/principals/sse-revoked`, { method: 'DELETE', token: ADMIN_TOKEN })
    expect(res.status).toBe(200)
    expect(res.json.closedStreams).toBe(1)
    await stream.ended
    expect(JSON.parse((await stream.waitForEvent('closed')).data)).toEqual({ reason: 'token revoked' })
    expect(bystander.isEnded()).toBe(false)
    const again = await openEvents(harness.server.url, 'team', t)
    expect(again.status).toBe(401)
    bystander.close()
    await stillHealthy()
  })

  it('removing a member closes their event streams of that workspace', async () => {
    const t = await freshViewer('sse-removed')
    const stream = await openEvents(harness.server.url, 'team', t, { bearer: true })
    await stream.waitForEvent('ready')
    const res = await httpJson<{ closedStreams: number }>(`${harness.server.url}/api/workspaces/team/members/sse-removed`, { method: 'DELETE', token: token('alice') })
    expect(res.json.closedStreams).toBe(1)
    await stream.ended
    expect(JSON.parse((await stream.waitForEvent('closed')).data).reason).toBe('removed from workspace')
  })

  it('a stream re-checks its authorization periodically (access lost by any other path ends it)', async () => {
    const t = await freshViewer('sse-recheck')
    const stream = await openEvents(harness.server.url, 'team', t)
    await stream.waitForEvent('ready')
    // Not through the registry (whose changes close streams at once): nothing closes the stream but its own periodic check.
    harness.server.db.prepare("DELETE FROM members WHERE workspace = 'team' AND principal = 'sse-recheck'").run()
    const t0 = performance.now()
    await stream.ended
    expect(performance.now() - t0).toBeLessThan(RECHECK_MS * 10)
    expect(JSON.parse((await stream.waitForEvent('closed')).data).reason).toMatch(/access/)
  })
})

describe('event streams are capped', () => {
  it('per principal: the next one is a 429 with Retry-After; others still get theirs', async () => {
    const mine = await Promise.all([0, 1, 2].map(() => openEvents(harness.server.url, 'team', token('vic'))))
    for (const s of mine) expect(s.status).toBe(200)
    const refused = await openEvents(harness.server.url, 'team', token('vic'))
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.refusal).toMatchObject({ error: { code: 'too_many_streams', message: expect.stringMatching(/at most 3 event streams per principal/) } })
    const other = await openEvents(harness.server.url, 'team', token('rita'))
    expect(other.status).toBe(200)
    // Closing one frees its slot.
    mine[0]!.close()
    await waitFor(async () => (await openEvents(harness.server.url, 'team', token('vic')).then((s) => (s.close(), s.status))) === 200, 'a freed slot')
    for (const s of [...mine, other]) s.close()
    await stillHealthy()
  })

  it('in total: beyond the server cap every principal gets a 429 with Retry-After', async () => {
    await waitFor(() => harness.server.streams.count === 0, 'earlier streams to close')
    const open = await Promise.all(['alice', 'bob', 'rita', 'vic', 'agent-a', 'agent-b'].map((who) => openEvents(harness.server.url, 'team', token(who))))
    for (const s of open) expect(s.status).toBe(200)
    const refused = await openEvents(harness.server.url, 'team', token('agent-c'))
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBeDefined()
    expect(refused.refusal).toMatchObject({ error: { code: 'too_many_streams' } })
    for (const s of open) s.close()
    await waitFor(() => harness.server.streams.count === 0, 'streams to close')
    await stillHealthy()
  })
})

describe('sockets per principal are capped', () => {
  it('a viewer at its cap gets 4429 with the reason; the owner still gets in', async () => {
    const mine: RawSocket[] = []
    for (let i = 0; i < SOCKETS_PER_PRINCIPAL; i++) {
      const s = openRaw(harness.server.wsUrl, 'team/shared', 'vic')
      mine.push(s)
      await s.opened()
      await s.waitFor('sync')
    }
    const extra = openRaw(harness.server.wsUrl, 'team/shared', 'vic')
    const closed = await extra.whenClosed()
    expect(closed.code).toBe(CLOSE.tooManyRequests)
    expect(closed.reason).toMatch(/at most 4 sockets open per principal/)
    expect(extra.closedBeforeAnyMessage()).toBe(true)
    // The owner, and the viewer's other rooms' neighbours, are unaffected.
    const owner = openRaw(harness.server.wsUrl, 'team/shared', 'alice')
    await owner.opened()
    await owner.waitFor('sync')
    await witnessesSync(harness.server.wsUrl, 'team/shared')
    // A freed slot can be used again.
    mine[0]!.close()
    await mine[0]!.whenClosed()
    await waitFor(() => harness.server.core.connectionCount === SOCKETS_PER_PRINCIPAL, 'the closed socket to leave')
    const again = openRaw(harness.server.wsUrl, 'team/shared', 'vic')
    await again.opened()
    await again.waitFor('sync')
    for (const s of [...mine, owner, again]) s.close()
    await waitFor(() => harness.server.core.connectionCount === 0, 'sockets to close')
    await stillHealthy()
  })
})

describe('failed authentication is logged and rate-limited per address', () => {
  // Linux routes all of 127/8 to loopback: 127.0.0.2 is "another client" of the same server.
  const ATTACKER = '127.0.0.2'

  it('after N wrong tokens an address gets 429 with Retry-After (even with a valid token); other addresses are unaffected', async () => {
    logs.length = 0
    for (let i = 0; i < MAX_AUTH_FAILURES; i++) {
      const res = await httpJson<ErrorBody>(`${harness.server.url}/api/me`, { token: `pp_guess_${i}_0000000000000000000000000`, localAddress: ATTACKER })
      expect(res.status).toBe(401)
    }
    const failures = logs.filter((l) => l.msg === 'authentication failed')
    expect(failures).toHaveLength(MAX_AUTH_FAILURES)
    expect(failures[0]).toMatchObject({ address: ATTACKER, route: '/api/me', method: 'GET' })
    expect(JSON.stringify(logs)).not.toContain('pp_guess_')

    const blocked = await httpJson<ErrorBody>(`${harness.server.url}/api/me`, { token: token('bob'), localAddress: ATTACKER })
    expect(blocked.status).toBe(429)
    expect(blocked.json.error.code).toBe('too_many_auth_failures')
    expect(blocked.json.error.message).toMatch(/wait \d+ s/)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(AUTH_WINDOW_MS / 1000)
    // The sync endpoint shares the count: the address cannot guess tokens there instead.
    const ws = new WebSocket(`${harness.server.wsUrl}/team/shared?token=${token('bob')}`, { localAddress: ATTACKER })
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)))
    expect(code).toBe(CLOSE.tooManyRequests)

    await stillHealthy() // from 127.0.0.1

    // When the window has passed, the address may try again.
    clockOffset += AUTH_WINDOW_MS
    const after = await httpJson(`${harness.server.url}/api/me`, { token: token('bob'), localAddress: ATTACKER })
    expect(after.status).toBe(200)
  })

  it('a revoked token retried by a stale client is not counted as a guess (an office behind one address is not locked out)', async () => {
    clockOffset += AUTH_WINDOW_MS
    const t = await freshViewer('stale-tab')
    expect((await httpJson(`${harness.server.url}/api/principals/stale-tab`, { method: 'DELETE', token: ADMIN_TOKEN })).status).toBe(200)
    for (let i = 0; i < MAX_AUTH_FAILURES * 2; i++) {
      expect((await httpJson(`${harness.server.url}/api/me`, { token: t, localAddress: ATTACKER })).status).toBe(401)
      const ws = new WebSocket(`${harness.server.wsUrl}/team/shared?token=${t}`, { localAddress: ATTACKER })
      expect(await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)))).toBe(CLOSE.unauthenticated)
    }
    expect((await httpJson(`${harness.server.url}/api/me`, { token: token('bob'), localAddress: ATTACKER })).status).toBe(200)
  })

  it('wrong tokens on the sync endpoint count too, and are logged without the token', async () => {
    clockOffset += AUTH_WINDOW_MS
    logs.length = 0
    for (let i = 0; i < MAX_AUTH_FAILURES; i++) {
      const ws = new WebSocket(`${harness.server.wsUrl}/team/shared?token=pp_wsguess_${i}_000000000000000000000`, { localAddress: ATTACKER })
      expect(await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)))).toBe(CLOSE.unauthenticated)
    }
    expect(logs.filter((l) => l.msg === 'authentication failed' && l.address === ATTACKER)).toHaveLength(MAX_AUTH_FAILURES)
    expect(JSON.stringify(logs)).not.toContain('pp_wsguess_')
    const blocked = await httpJson<ErrorBody>(`${harness.server.url}/api/me`, { token: token('bob'), localAddress: ATTACKER })
    expect(blocked.status).toBe(429)
    clockOffset += AUTH_WINDOW_MS
  })
})

describe('metric labels from agent reports are bounded', () => {
  it('300 reports with 300 model names add at most MAX_AGENT_SERIES + 1 series; the rest fold into other', async () => {
    for (let i = 0; i < 300; i++) {
      const res = await httpJson(`${harness.server.url}/api/workspaces/team/agent-reports`, {
        method: 'POST',
        token: token('agent-b'),
        body: { model: `model-${i}`, modelCalls: 1 },
      })
      expect(res.status).toBe(200)
    }
    const text = (await httpJson<string>(`${harness.server.url}/metrics`)).json
    const series = [...parsePrometheus(text).entries()].filter(([name]) => name.startsWith('polyphony_agent_model_calls_total{'))
    console.log(`[hostile-http] 300 model names → ${series.length} series of polyphony_agent_model_calls_total`)
    expect(series.length).toBeLessThanOrEqual(MAX_AGENT_SERIES + 1)
    const total = series.reduce((sum, [, v]) => sum + v, 0)
    expect(total).toBeGreaterThanOrEqual(300) // nothing is lost, only folded
    expect(parsePrometheus(text).get('polyphony_agent_model_calls_total{principal="other",model="other"}')).toBeGreaterThan(0)
  })

  it('a model name outside the safe charset or too long is a 400 that says what is allowed', async () => {
    for (const model of ['evil"} 1\nfake_metric{', 'x'.repeat(65), '']) {
      const res = await httpJson<ErrorBody>(`${harness.server.url}/api/workspaces/team/agent-reports`, { method: 'POST', token: token('agent-b'), body: { model, modelCalls: 1 } })
      expect(res.status).toBe(400)
      expect(res.json.error.message).toMatch(/model name is 1-64 letters, digits/)
    }
  })
})

describe('conflicts cannot be minted at will', () => {
  const ROOM = 'blind/shared'
  const conflictsOf = async () =>
    (await httpJson<{ conflicts: Array<{ parties: Array<{ principal: string }> }> }>(`${harness.server.url}/api/workspaces/blind/conflicts?status=all`, { token: token('alice') }))
      .json.conflicts
  const suppressed = async () => (await harness.server.metrics.conflictsSuppressed.get()).values.reduce((n, v) => n + v.value, 0)

  /** `writer` goes offline, `online` sets each key, then `writer` sets the same keys offline and comes back. */
  async function staleWrites(writer: StockClient, online: StockClient, keys: string[]): Promise<void> {
    writer.provider.disconnect()
    for (const k of keys) online.doc.getMap('records').set(k, `online ${k}`)
    const room = await harness.server.core.room(ROOM)
    await waitFor(() => keys.every((k) => room.doc.getMap('records').get(k) !== undefined), 'online writes to reach the server')
    for (const k of keys) writer.doc.getMap('records').set(k, `stale ${k}`)
    writer.provider.connect()
    await synced(writer)
  }

  it('a principal making stale writes causes at most the budget per room and window; the excess is counted and logged once', async () => {
    logs.length = 0
    const alice = connectStock(harness.server.wsUrl, ROOM, 'alice')
    const bob = connectStock(harness.server.wsUrl, ROOM, 'bob')
    const agent = connectStock(harness.server.wsUrl, ROOM, 'agent-a')
    try {
      await Promise.all([synced(alice), synced(bob), synced(agent)])
      const before = await suppressed()
      await staleWrites(
        bob,
        alice,
        Array.from({ length: 10 }, (_, i) => `k${i}`),
      )
      await waitFor(async () => (await suppressed()) - before === 10 - CONFLICT_BUDGET, 'the excess to be counted')
      const byBob = (await conflictsOf()).filter((c) => c.parties.some((p) => p.principal === 'bob'))
      expect(byBob).toHaveLength(CONFLICT_BUDGET)
      expect(logs.filter((l) => l.msg?.toString().startsWith('conflict budget spent'))).toEqual([expect.objectContaining({ principal: 'bob', room: ROOM })])

      // Another principal's conflicts in the same room are still recorded.
      await staleWrites(agent, alice, ['z'])
      await waitFor(async () => (await conflictsOf()).some((c) => c.parties.some((p) => p.principal === 'agent-a')), "agent-a's conflict")

      // A new window gives bob a new budget.
      clockOffset += CONFLICT_WINDOW_MS
      await staleWrites(bob, alice, ['w0'])
      await waitFor(async () => (await conflictsOf()).filter((c) => c.parties.some((p) => p.principal === 'bob')).length === CONFLICT_BUDGET + 1, "bob's next conflict")
      await stillHealthy()
    } finally {
      for (const c of [alice, bob, agent]) c.destroy()
    }
  })
})

describe('admin and demo hygiene', () => {
  it('reserved ids (polyphony-server, polyphony-*) cannot be registered, over the API or by bootstrap', async () => {
    for (const id of ['polyphony-server', 'polyphony-anything', 'Polyphony-Server']) {
      const res = await httpJson<ErrorBody>(`${harness.server.url}/api/principals`, { method: 'POST', token: ADMIN_TOKEN, body: { id, kind: 'agent' } })
      expect(res.status, id).toBe(400)
      expect(res.json.error.message).toMatch(/reserved for the server/)
    }
    await expect(
      harness.server.registry.applyBootstrap({ principals: [{ id: 'polyphony-server', kind: 'service', token: 'pp_' + 'abcdefghijklmnopqrstuvwxyz0123456789' }] }),
    ).rejects.toThrow(/reserved for the server/)
    expect(harness.server.registry.getPrincipal('polyphony-server')).toBeNull()
  })

  it('bootstrap tokens need at least 32 varied characters; the error names the principal', async () => {
    await expect(harness.server.registry.applyBootstrap({ principals: [{ id: 'weakling', kind: 'agent', token: 'pp_12345' }] })).rejects.toThrow(
      /token of principal weakling is 8 characters; use at least 32/,
    )
    await expect(harness.server.registry.applyBootstrap({ principals: [{ id: 'weakling', kind: 'agent', token: 'a'.repeat(40) }] })).rejects.toThrow(
      /token of principal weakling repeats too few characters/,
    )
    expect(harness.server.registry.getPrincipal('weakling')).toBeNull()
  })

  it('the last owner cannot be demoted or removed (409 with a message); with another owner it can', async () => {
    const put = (who: string, member: string, role: string) =>
      httpJson<ErrorBody>(`${harness.server.url}/api/workspaces/w1/members/${member}`, { method: 'PUT', token: who === 'admin' ? ADMIN_TOKEN : token(who), body: { role } })
    const del = (who: string, member: string) =>
      httpJson<ErrorBody>(`${harness.server.url}/api/workspaces/w1/members/${member}`, { method: 'DELETE', token: who === 'admin' ? ADMIN_TOKEN : token(who) })
    for (const res of [await put('alice', 'alice', 'editor'), await del('alice', 'alice'), await put('admin', 'alice', 'viewer'), await del('admin', 'alice')]) {
      expect(res.status).toBe(409)
      expect(res.json.error.code).toBe('conflict')
      expect(res.json.error.message).toMatch(/alice[a-z ]*: they are the last owner of w1; make another member owner first/)
    }
    expect(harness.server.registry.roleOf('w1', 'alice')).toBe('owner')
    expect((await put('alice', 'bob', 'owner')).status).toBe(200)
    expect((await put('bob', 'alice', 'editor')).status).toBe(200)
    // Restore the fixture: alice the only owner again.
    expect((await put('bob', 'alice', 'owner')).status).toBe(200)
    expect((await put('alice', 'bob', 'editor')).status).toBe(200)
  })

  it('without an admin token the admin principal is disabled, as --help says', async () => {
    const first = await startTestServer()
    try {
      expect((await httpJson(`${first.url}/api/principals`, { token: ADMIN_TOKEN })).status).toBe(200)
      await first.stop()
      const second = await startTestServer({ dataDir: first.dataDir, adminToken: undefined })
      try {
        expect((await httpJson(`${second.url}/api/principals`, { token: ADMIN_TOKEN })).status).toBe(401)
        expect((await httpJson(`${second.url}/api/me`, { token: token('alice') })).status).toBe(200)
      } finally {
        await second.stop()
      }
      // Given again, it works again.
      const third = await startTestServer({ dataDir: first.dataDir })
      expect((await httpJson(`${third.url}/api/principals`, { token: ADMIN_TOKEN })).status).toBe(200)
      await third.stop()
    } finally {
      await first.close()
    }
  })

  it('--demo on a network address is refused unless --allow-demo-on-network; loopback is fine', () => {
    const refused = parseServerConfig(['--demo', '--host', '0.0.0.0'], {})
    expect(refused).toMatchObject({ ok: false, help: false, error: expect.stringMatching(/--demo prints its tokens .* --allow-demo-on-network/) })
    expect(parseServerConfig(['--demo'], { HOST: '192.168.1.5' }).ok).toBe(false)
    expect(parseServerConfig(['--demo', '--host', '0.0.0.0', '--allow-demo-on-network'], {})).toMatchObject({ ok: true, config: { demo: true, allowDemoOnNetwork: true } })
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(parseServerConfig(['--demo', '--host', host], {}).ok, host).toBe(true)
    expect(parseServerConfig(['--host', '0.0.0.0'], {}).ok).toBe(true)
    expect(SERVER_HELP).toContain('--allow-demo-on-network')
  })

  it('demo tokens stop working when the same data directory is served without --demo, and work again with it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'polyphony-demo-hygiene-'))
    const noAdmin = { POLYPHONY_ADMIN_TOKEN: '' }
    let child: ChildServer | null = null
    try {
      child = await startChildServer({ dataDir, args: ['--demo', '--no-agents'], env: noAdmin })
      const demo = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<string, string>
      // (alice and bob are also in the test bootstrap, which replaces their tokens: use the reviewers.)
      expect((await httpJson(`${child.url}/api/me`, { token: demo['clarity-reviewer'] })).status).toBe(200)
      expect((await httpJson(`${child.url}/api/principals`, { token: demo.admin })).status).toBe(200)
      await child.kill('SIGTERM')

      child = await startChildServer({ dataDir, env: noAdmin })
      for (const t of Object.values(demo)) expect((await httpJson(`${child.url}/api/me`, { token: t })).status).toBe(401)
      expect((await httpJson(`${child.url}/api/me`, { token: token('alice') })).status).toBe(200) // the bootstrap's own principals
      expect(child.logs.some((l) => l.msg === 'demo tokens disabled: this data directory is served without --demo')).toBe(true)
      await child.kill('SIGTERM')

      child = await startChildServer({ dataDir, args: ['--demo', '--no-agents'], env: noAdmin })
      expect((await httpJson(`${child.url}/api/me`, { token: demo['claims-reviewer'] })).status).toBe(200)
      expect((await httpJson(`${child.url}/api/principals`, { token: demo.admin })).status).toBe(200)
    } finally {
      await child?.kill('SIGTERM')
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)
})
