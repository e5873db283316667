// [harden] Rights on every channel, one table: for every role (and a non-member) × namespace
// visibility × submitted state, what the real server answers over WebSocket (shared room, task
// room, another's namespace and its review room, one's own), every HTTP route (incl. resolve
// and SSE) and the contents of the review data and team metrics. Expectations come from the
// pure policies (shared/access.ts, shared/review/policy.ts, shared/conflicts/policy.ts), which
// test/access.test.ts checks against an independent reading of the design.

import { beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { decideAccess, mayEditShared, mayManageMembers } from '../shared/access.ts'
import { decideReviewAction, type ReviewAction } from '../shared/review/index.ts'
import { decideConflictResolution, type ConflictRecord } from '../shared/conflicts/index.ts'
import { parseRoom, roomName, type RoomRef } from '../shared/rooms.ts'
import type { Role, Visibility } from '../shared/model.ts'
import type { TeamMetrics } from '../shared/coord/index.ts'
import { CLOSE } from '../shared/wire/index.ts'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { openRaw, syncStep1 } from './helpers/rawSocket.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import type { Divergences } from '../shared/review/index.ts'

/** Whose reading is at stake: an agent (editor) with one annotation and one proposal. */
const AUTHOR = 'agent-a'
const PEOPLE: Array<[string, Role | null]> = [
  ['alice', 'owner'],
  ['bob', 'editor'],
  ['rita', 'reviewer'],
  ['vic', 'viewer'],
  ['outsider', null],
]
interface Scenario {
  workspace: string
  visibility: Visibility
  submitted: boolean
}
const SCENARIOS: Scenario[] = [
  { workspace: 'w1', visibility: 'private', submitted: false },
  { workspace: 'team', visibility: 'team', submitted: false },
  { workspace: 'blind', visibility: 'blind-until-submitted', submitted: false },
  { workspace: 'blind', visibility: 'blind-until-submitted', submitted: true },
]

const t = useHarness()
beforeAll(() => t.start())

const call = <T = { error: { code: string; message: string } }>(who: string, method: string, path: string, body?: unknown) =>
  httpJson<T>(t.server.url + path, { method, token: token(who), body })

function canRead(s: Scenario, who: string, role: Role | null, room: RoomRef): boolean {
  return decideAccess({ principal: who, role, visibility: s.visibility, room, namespaceSubmitted: s.submitted }, 'read').allow
}

/** What an allowed / refused request answers: members get `ok`; refusals 403, or 404 where the thing is hidden. */
const refusal = (role: Role | null, hidden: boolean): number => (role === null || hidden ? 404 : 403)

interface Fixture {
  annotation: string
  proposal: string
}

const fixtures = new Map<string, Fixture>()

/** agent-a's reading in the workspace (written once per workspace), submitted as the scenario says, with review data about it. */
async function prepare(s: Scenario): Promise<Fixture> {
  let fixture = fixtures.get(s.workspace)
  if (!fixture) {
    const a = await t.agent(AUTHOR, { workspace: s.workspace })
    a.createDocument('report', 'Revenue grew 40% last year. Most customers renewed.')
    const annotation = a.annotate('report', { quote: 'grew 40%' }, { label: 'unsourced', comment: 'Source?' }).id
    const proposal = a.propose('report', { quote: 'Most customers renewed.' }, 'Nine in ten customers renewed.', 'be precise').id
    await a.flushed()
    fixture = { annotation, proposal }
    fixtures.set(s.workspace, fixture)
  }
  const { annotation } = fixture
  const submit = await call(AUTHOR, 'PUT', `/api/workspaces/${s.workspace}/namespaces/${AUTHOR}/submitted`, { submitted: s.submitted })
  expect(submit.status).toBe(200)
  // Review data about agent-a's reading: the owner (who may always read it) keeps and replies.
  expect((await call('alice', 'POST', `/api/workspaces/${s.workspace}/annotations/${AUTHOR}/${annotation}/keep`)).status).toBe(200)
  expect((await call('alice', 'POST', `/api/workspaces/${s.workspace}/annotations/${AUTHOR}/${annotation}/reply`, { text: 'Ask finance.' })).status).toBe(201)
  return fixture
}

/** A claim race on a fresh task: a real record, decided by the server (an event, not resolvable). */
async function claimRace(ws: string, task: string): Promise<ConflictRecord> {
  expect((await call('alice', 'POST', `/api/workspaces/${ws}/tasks`, { id: task, title: task })).status).toBe(201)
  expect((await call('agent-b', 'POST', `/api/workspaces/${ws}/tasks/${task}/claim`, { ttlMs: 60_000 })).status).toBe(200)
  expect((await call('agent-c', 'POST', `/api/workspaces/${ws}/tasks/${task}/claim`, { ttlMs: 60_000 })).status).toBe(409)
  // The race is stored after the refusal is answered (ConflictService.onClaimRace).
  const race = async () => (await t.server.conflicts.list(ws, { status: 'decided' })).find((c) => c.location.kind === 'task' && c.location.taskId === task)
  await waitFor(async () => (await race()) !== undefined, `a claim race recorded for ${task}`)
  return (await race())!
}

/** Opens `room` as `who`: read → the sync exchange happens and the document arrives; no read → 4403 before any byte. */
async function socketReads(who: string, room: string, read: boolean): Promise<Y.Doc | null> {
  const s = openRaw(t.server.wsUrl, room, who)
  try {
    if (!read) {
      const closed = await s.whenClosed()
      expect(closed.code, `${who} on ${room}`).toBe(CLOSE.forbidden)
      expect(s.closedBeforeAnyMessage()).toBe(true)
      return null
    }
    await s.waitFor('sync')
    s.send(syncStep1())
    const step2 = await s.waitFor('sync', (m) => m.subtype === 1)
    const doc = new Y.Doc()
    Y.applyUpdate(doc, step2.payload)
    expect(s.closed, `${who} on ${room}`).toBeNull()
    return doc
  } finally {
    s.ws.terminate()
  }
}

/** The first SSE event, or the refusal status. */
async function sse(who: string, ws: string): Promise<{ status: number; first: string }> {
  const abort = new AbortController()
  const res = await fetch(`${t.server.url}/api/workspaces/${ws}/events?token=${token(who)}`, { signal: abort.signal })
  if (res.status !== 200) return { status: res.status, first: '' }
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
  const reader = res.body!.getReader()
  const { value } = await reader.read()
  abort.abort()
  return { status: res.status, first: new TextDecoder().decode(value) }
}

describe.each(SCENARIOS)('$visibility workspace $workspace, agent-a submitted=$submitted', (s) => {
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await prepare(s)
  })
  const ws = s.workspace
  const p = (path: string) => `/api/workspaces/${ws}${path}`

  for (const [who, role] of PEOPLE) {
    const others = canRead(s, who, role, { kind: 'namespace', workspace: ws, owner: AUTHOR })
    it(`${who} (${role ?? 'non-member'}): reads agent-a=${others}`, async () => {
      const member = role !== null
      const ok = (status: number) => (member ? status : 404)

      // --- WebSocket: every room kind, read as the policy says; review rooms exactly like their namespace.
      const rooms: RoomRef[] = [
        { kind: 'shared', workspace: ws },
        { kind: 'tasks', workspace: ws },
        { kind: 'namespace', workspace: ws, owner: AUTHOR },
        { kind: 'review', workspace: ws, owner: AUTHOR },
        { kind: 'namespace', workspace: ws, owner: who },
        { kind: 'review', workspace: ws, owner: who },
      ]
      for (const room of rooms) {
        const read = canRead(s, who, role, room)
        if (room.kind === 'review' && room.owner === AUTHOR) expect(read).toBe(others)
        const doc = await socketReads(who, roomName(room), read)
        if (doc && room.kind === 'review' && room.owner === AUTHOR) {
          // alice kept it first (and may have promoted it since, in her own row).
          expect(doc.getMap('decisions').get(`${AUTHOR}/${fixture.annotation}`)).toMatchObject({ by: 'alice' })
          expect([...doc.getMap('replies').values()]).toEqual(expect.arrayContaining([expect.objectContaining({ author: 'alice', text: 'Ask finance.' })]))
        }
      }

      // --- HTTP reads, and the review data in them.
      expect((await call(who, 'GET', '/api/me')).status).toBe(200)
      const detail = await call<{ readableNamespaces: string[] }>(who, 'GET', p(''))
      expect(detail.status).toBe(ok(200))
      if (member) expect(detail.json.readableNamespaces.includes(AUTHOR)).toBe(others)
      expect((await call(who, 'GET', p('/conflicts?status=all'))).status).toBe(ok(200))
      const events = await sse(who, ws)
      expect(events.status).toBe(ok(200))
      if (member) expect(events.first).toContain('event: ready')
      const d = await call<Divergences>(who, 'GET', p('/divergences?doc=report'))
      expect(d.status).toBe(ok(200))
      if (member) {
        const annotations = d.json.groups.flatMap((g) => g.readings.filter((r) => r.principal === AUTHOR).flatMap((r) => r.annotations))
        expect(annotations.map((a) => a.id)).toEqual(others ? [fixture.annotation] : [])
        if (others) expect(annotations[0]).toMatchObject({ decision: { by: 'alice' }, replies: expect.arrayContaining([expect.objectContaining({ text: 'Ask finance.' })]) })
        expect((d.json.proposals ?? []).map((x) => x.author)).toEqual(others ? [AUTHOR] : [])
        // Nothing in the answer names agent-a's hidden reading.
        if (!others) expect(JSON.stringify(d.json)).not.toContain(fixture.annotation)
      }
      expect((await call(who, 'GET', p(`/proposals/${AUTHOR}/${fixture.proposal}`))).status).toBe(member && others ? 200 : 404)
      expect((await call(who, 'GET', p('/tasks'))).status).toBe(ok(200))

      // --- team metrics: only rooms the reader may read count, even as numbers.
      const metrics = await call<TeamMetrics>(who, 'GET', p('/metrics'))
      expect(metrics.status).toBe(ok(200))
      if (member) {
        const rooms = metrics.json.concurrentWrites.byDocument.map((x) => x.room)
        for (const room of rooms) expect(canRead(s, who, role, parseRoom(room)!), room).toBe(true)
        expect(rooms.includes(`${ws}/ns/${AUTHOR}`)).toBe(others)
        expect(rooms.includes(`${ws}/review/${AUTHOR}`)).toBe(others)
        const activity = metrics.json.perPrincipal.find((x) => x.principal === AUTHOR)
        expect((activity?.namespaceWrites ?? 0) > 0).toBe(others)
        const alice = metrics.json.perPrincipal.find((x) => x.principal === 'alice')
        expect((alice?.reviewWrites ?? 0) > 0).toBe(others)
      }
      expect((await call(who, 'POST', p('/agent-reports'), { modelCalls: 0 })).status).toBe(ok(200))

      // --- actions on agent-a's reading (decideReviewAction; hidden → 404).
      const annotationActions: Array<[ReviewAction, unknown, number]> = [
        ['keep', undefined, 200],
        ['reply', { text: `From ${who}.` }, 201],
        ['promote', undefined, 200],
      ]
      for (const [action, body, status] of annotationActions) {
        const res = await call(who, 'POST', p(`/annotations/${AUTHOR}/${fixture.annotation}/${action}`), body)
        const allowed = decideReviewAction(role, others, action).allow
        expect(res.status, `${who} ${action}`).toBe(allowed ? status : refusal(role, !others))
      }
      for (const action of ['accept', 'reject'] as const) {
        const res = await call(who, 'POST', p(`/proposals/${AUTHOR}/${fixture.proposal}/${action}`))
        if (decideReviewAction(role, others, action).allow) {
          // Allowed: applied, or refused only because someone decided it already.
          expect(res.status === 200 || (res.status === 409 && res.json.error.code === 'already_decided'), `${who} ${action}: ${res.status}`).toBe(true)
        } else expect(res.status, `${who} ${action}`).toBe(refusal(role, !others))
      }

      // --- resolving a real record (decideConflictResolution): a claim race is decided by the
      // server, so those allowed to resolve are told there is nothing to resolve (409 decided).
      const raceTask = `race-${s.submitted ? 's' : 'u'}-${who}`
      const record = await claimRace(ws, raceTask)
      const resolved = await call(who, 'POST', p(`/conflicts/${record.id}/resolve`), { pick: record.parties[0].principal })
      if (decideConflictResolution(role, record).allow) expect([resolved.status, resolved.json.error.code]).toEqual([409, 'decided'])
      else expect(resolved.status).toBe(refusal(role, false))

      // --- the task protocol: members read, owners and editors change the board.
      const task = `t-${s.submitted ? 's' : 'u'}-${who}`
      const writes = mayEditShared(role)
      expect((await call(who, 'POST', p('/tasks'), { id: task, title: task })).status).toBe(writes ? 201 : refusal(role, false))
      const claimTarget = writes ? task : raceTask
      const claimed = await call<{ fencingToken: number }>(who, 'POST', p(`/tasks/${claimTarget}/claim`), {})
      expect(claimed.status).toBe(writes ? 200 : refusal(role, false))
      expect((await call(who, 'GET', p(`/tasks/${claimTarget}`))).status).toBe(ok(200))
      const fencingToken = writes ? claimed.json.fencingToken : 1
      expect((await call(who, 'POST', p(`/tasks/${claimTarget}/renew`), { fencingToken })).status).toBe(writes ? 200 : refusal(role, false))
      expect((await call(who, 'POST', p(`/tasks/${claimTarget}/complete`), { fencingToken, result: 'ok' })).status).toBe(writes ? 200 : refusal(role, false))
      // Once done there is nothing to release (409); refused before that for the others.
      expect((await call(who, 'POST', p(`/tasks/${claimTarget}/release`), { fencingToken })).status).toBe(writes ? 409 : refusal(role, false))

      // --- membership and submission: owners manage members; only the owner of a namespace submits it.
      const manage = mayManageMembers(role)
      expect((await call(who, 'PUT', p('/members/agent-c'), { role: 'editor' })).status).toBe(manage ? 200 : refusal(role, false))
      expect((await call(who, 'DELETE', p('/members/outsider'))).status).toBe(manage ? 404 : refusal(role, false)) // not a member: passes the right, then 404
      expect((await call(who, 'PUT', p(`/namespaces/${AUTHOR}/submitted`), { submitted: s.submitted })).status).toBe(refusal(role, false))
      expect((await call(who, 'PUT', p(`/namespaces/${who}/submitted`), { submitted: false })).status).toBe(ok(200))
    })
  }
})
