// [core] Access: the pure policy exhaustively against an independent reading of DESIGN.md §2,
// then the same matrix over real sockets for every workspace visibility. Denied sockets are
// closed before any document byte; read-only writers get permission-denied and their update
// is neither applied, broadcast nor stored.

import { beforeAll, describe, expect, it } from 'vitest'
import { decideAccess, type Action } from '../shared/access.ts'
import { ROLES, VISIBILITIES, type Role, type Visibility } from '../shared/model.ts'
import type { RoomRef } from '../shared/rooms.ts'
import { CLOSE } from '../shared/wire/index.ts'
import { ADMIN_TOKEN, token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { clientsSeen, openRaw, syncMessage, textUpdate, type RawSocket } from './helpers/rawSocket.ts'
import { waitFor } from './helpers/wait.ts'
import { api } from './fixtures/api.ts'
import { storedHistory } from './fixtures/stored.ts'

type RoomKind = 'shared' | 'tasks' | 'own' | 'other' | 'own-review' | 'other-review'
const KINDS: RoomKind[] = ['shared', 'tasks', 'own', 'other', 'own-review', 'other-review']

/** The specification, written independently of shared/access.ts. */
function expected(role: Role | null, kind: RoomKind, visibility: Visibility, submitted: boolean, action: Action): boolean {
  if (role === null) return false
  if (kind === 'shared') return action === 'read' || role === 'owner' || role === 'editor'
  // Written only by the server: the task API and the review API.
  if (kind === 'tasks') return action === 'read'
  if (action === 'write') return kind === 'own'
  // A review room is read exactly when its namespace is.
  if (kind === 'own' || kind === 'own-review') return true
  if (role === 'owner' || role === 'reviewer') return true
  return visibility === 'team' || (visibility === 'blind-until-submitted' && submitted)
}

function ref(kind: RoomKind, workspace: string, self: string, other: string): RoomRef {
  if (kind === 'shared' || kind === 'tasks') return { kind, workspace }
  const owner = kind.startsWith('own') ? self : other
  return kind.endsWith('review') ? { kind: 'review', workspace, owner } : { kind: 'namespace', workspace, owner }
}

describe('decideAccess (pure)', () => {
  it('matches the specification for every role, room, visibility, submission and action', () => {
    let cases = 0
    for (const role of [...ROLES, null]) {
      for (const kind of KINDS) {
        for (const visibility of VISIBILITIES) {
          for (const submitted of [false, true]) {
            for (const action of ['read', 'write'] as const) {
              const decision = decideAccess({ principal: 'p', role, visibility, room: ref(kind, 'w', 'p', 'q'), namespaceSubmitted: submitted }, action)
              const want = expected(role, kind, visibility, submitted, action)
              expect(decision.allow, `${role} ${kind} ${visibility} submitted=${submitted} ${action}`).toBe(want)
              if (!decision.allow) expect(decision.reason.length).toBeGreaterThan(10)
              cases++
            }
          }
        }
      }
    }
    expect(cases).toBe(5 * 6 * 3 * 2 * 2)
  })

  it('never lets anyone but the owner write a namespace, whatever the role', () => {
    for (const role of ROLES) {
      for (const visibility of VISIBILITIES) {
        const room: RoomRef = { kind: 'namespace', workspace: 'w', owner: 'agent-b' }
        expect(decideAccess({ principal: 'agent-a', role, visibility, room, namespaceSubmitted: true }, 'write').allow).toBe(false)
      }
    }
  })
})

// --- real sockets ---

const WORKSPACE_OF: Record<Visibility, string> = { private: 'w1', team: 'team', 'blind-until-submitted': 'blind' }
const PEOPLE: Array<[string, Role | null]> = [
  ['alice', 'owner'],
  ['bob', 'editor'],
  ['rita', 'reviewer'],
  ['vic', 'viewer'],
  ['outsider', null],
]
/** Whose namespace "another's ns" is: an agent, as in a review. */
const OTHER = 'agent-a'

let nextClient = 500_000

const t = useHarness()
beforeAll(() => t.start())

function roomName(kind: RoomKind, workspace: string, self: string): string {
  if (kind === 'shared') return `${workspace}/shared`
  if (kind === 'tasks') return `${workspace}/tasks`
  const owner = kind.startsWith('own') ? self : OTHER
  return kind.endsWith('review') ? `${workspace}/review/${owner}` : `${workspace}/ns/${owner}`
}

/** A socket that may not read: closed with `code`, and nothing arrived before the close. */
async function expectRefusedBeforeData(s: RawSocket, code: number = CLOSE.forbidden): Promise<string> {
  const closed = await s.whenClosed()
  expect(closed.code).toBe(code)
  expect(closed.reason.length).toBeGreaterThan(5)
  expect(s.closedBeforeAnyMessage()).toBe(true)
  expect(s.received).toEqual([])
  return closed.reason
}

/** Opens the room, sends one update and checks read and write rights as the server applies them. */
async function probe(who: string, room: string, canRead: boolean, canWrite: boolean): Promise<void> {
  const s = openRaw(t.server.wsUrl, room, who, { params: { persisted: '1' } })
  try {
    if (!canRead) {
      await expectRefusedBeforeData(s)
      return
    }
    await s.waitFor('sync')
    const client = nextClient++
    s.send(syncMessage(textUpdate(`by ${who}`, client)))
    // The persisted reply comes after everything sent before it has been handled.
    await s.persisted(1)
    const loaded = await t.server.core.room(room)
    const stored = (await storedHistory(t.server.db, room)).some((h) => h.clients.includes(client))
    if (canWrite) {
      expect(loaded.doc.store.clients.has(client), `${who} should write ${room}`).toBe(true)
      expect(stored).toBe(true)
      expect(s.received.some((m) => m.kind === 'denied')).toBe(false)
    } else {
      const denied = await s.waitFor('denied')
      expect(denied.reason).toMatch(/read-only/)
      expect(loaded.doc.store.clients.has(client), `${who} must not write ${room}`).toBe(false)
      expect(stored).toBe(false)
    }
    expect(s.closed).toBeNull()
  } finally {
    s.ws.terminate()
  }
}

describe.each(VISIBILITIES)('sockets in a %s workspace', (visibility) => {
  const workspace = WORKSPACE_OF[visibility]
  for (const [who, role] of PEOPLE) {
    for (const kind of KINDS) {
      const read = expected(role, kind, visibility, false, 'read')
      const write = expected(role, kind, visibility, false, 'write')
      it(`${who} (${role ?? 'non-member'}) on ${kind}: read=${read} write=${write}`, async () => {
        await probe(who, roomName(kind, workspace, who), read, write)
      })
    }
  }
})

describe('blind-until-submitted after the owner submits', () => {
  it('others may read the namespace and its review room once submitted (never write), and not after withdrawal', async () => {
    const room = `blind/ns/${OTHER}`
    const review = `blind/review/${OTHER}`
    await probe('bob', room, false, false)
    await probe('bob', review, false, false)
    const submit = (submitted: boolean) => api(t.server.url, 'PUT', `/api/workspaces/blind/namespaces/${OTHER}/submitted`, token(OTHER), { submitted })
    expect((await submit(true)).status).toBe(200)
    for (const [who, role] of PEOPLE) {
      await probe(who, room, expected(role, 'other', 'blind-until-submitted', true, 'read'), false)
      await probe(who, review, expected(role, 'other-review', 'blind-until-submitted', true, 'read'), false)
    }
    // A reader who could see it only because it was submitted is cut off on withdrawal, from
    // the namespace and from its review room; a reviewer (who may always read it) keeps both.
    const bobReading = openRaw(t.server.wsUrl, room, 'bob')
    const bobReview = openRaw(t.server.wsUrl, review, 'bob')
    const ritaReading = openRaw(t.server.wsUrl, room, 'rita')
    const ritaReview = openRaw(t.server.wsUrl, review, 'rita')
    const sockets = [bobReading, bobReview, ritaReading, ritaReview]
    await Promise.all(sockets.map((s) => s.waitFor('sync')))
    const withdrawn = await submit(false)
    expect(withdrawn.status).toBe(200)
    expect(withdrawn.body.closedSockets).toBe(2)
    expect((await bobReading.whenClosed()).code).toBe(4403)
    expect((await bobReview.whenClosed()).code).toBe(4403)
    expect(ritaReading.closed).toBeNull()
    expect(ritaReview.closed).toBeNull()
    for (const s of sockets) s.ws.terminate()
    for (const r of [room, review]) {
      await probe('bob', r, false, false)
      await probe('vic', r, false, false)
      await probe('rita', r, true, false)
    }
  })
})

describe('read-only writers', () => {
  it.each([
    ['vic', 'w1/shared', 'bob'],
    ['rita', 'team/shared', 'alice'],
    ['agent-a', 'team/ns/agent-b', 'agent-b'],
  ])('%s writing %s: denied, not applied, not broadcast, not stored', async (who, room, fenceWriter) => {
    const observer = openRaw(t.server.wsUrl, room, 'alice')
    const writer = openRaw(t.server.wsUrl, room, who, { params: { persisted: '1' } })
    const fence = openRaw(t.server.wsUrl, room, fenceWriter, { params: { persisted: '1' } })
    try {
      await Promise.all([observer.waitFor('sync'), writer.waitFor('sync'), fence.waitFor('sync')])
      const denied = nextClient++
      const allowed = nextClient++
      writer.send(syncMessage(textUpdate('not allowed', denied)))
      await writer.waitFor('denied')
      await writer.persisted(7)
      // A later allowed write reaches the observer after anything the writer caused would have.
      fence.send(syncMessage(textUpdate('allowed', allowed)))
      await fence.persisted(1)
      await waitFor(() => clientsSeen(observer).has(allowed), 'the observer to see the allowed write')
      expect(clientsSeen(observer).has(denied)).toBe(false)
      const loaded = await t.server.core.room(room)
      expect(loaded.doc.store.clients.has(denied)).toBe(false)
      expect((await storedHistory(t.server.db, room)).some((h) => h.clients.includes(denied))).toBe(false)
      expect(writer.closed).toBeNull()
    } finally {
      for (const s of [observer, writer, fence]) s.ws.terminate()
    }
  })
})

describe('authentication and room names', () => {
  it('a missing token and an unknown token are closed with 4401 before any byte', async () => {
    await expectRefusedBeforeData(openRaw(t.server.wsUrl, 'w1/shared', 'alice', { tokenValue: null }), CLOSE.unauthenticated)
    await expectRefusedBeforeData(openRaw(t.server.wsUrl, 'w1/shared', 'alice', { tokenValue: 'pp_not_a_real_token_000000000' }), CLOSE.unauthenticated)
  })

  it('the token may travel as a subprotocol instead of a query parameter', async () => {
    const s = openRaw(t.server.wsUrl, 'w1/shared', 'bob', { tokenValue: null, protocols: [`polyphony.token.${token('bob')}`] })
    await s.waitFor('sync')
    expect(s.ws.protocol).toBe(`polyphony.token.${token('bob')}`)
    s.ws.terminate()
  })

  it('a workspace that does not exist is 4403, unknown room forms are 4404, before any byte', async () => {
    await expectRefusedBeforeData(openRaw(t.server.wsUrl, 'nope/shared', 'alice'), CLOSE.forbidden)
    for (const room of ['w1/other', 'w1/ns', 'w1/review', 'w1/tasks/x', 'w1/shared/extra', 'w1', 'w1/ns/alice/x', 'w1/review/alice/x', 'w1/ns/%2e%2e', 'w1/%ZZ']) {
      await expectRefusedBeforeData(openRaw(t.server.wsUrl, room, 'alice'), CLOSE.notFound)
    }
  })

  it('revoking a principal closes its open socket with 4401 and refuses its token afterwards', async () => {
    const created = await api(t.server.url, 'POST', '/api/principals', ADMIN_TOKEN, { id: 'temp-agent', kind: 'agent' })
    expect(created.status).toBe(201)
    expect((await api(t.server.url, 'PUT', '/api/workspaces/team/members/temp-agent', token('alice'), { role: 'editor' })).status).toBe(200)
    const open = openRaw(t.server.wsUrl, 'team/shared', 'temp-agent', { tokenValue: created.body.token })
    await open.waitFor('sync')
    const revoked = await api(t.server.url, 'DELETE', '/api/principals/temp-agent', ADMIN_TOKEN)
    expect(revoked.body).toMatchObject({ revoked: true, closedSockets: 1 })
    expect((await open.whenClosed()).code).toBe(CLOSE.unauthenticated)
    await expectRefusedBeforeData(openRaw(t.server.wsUrl, 'team/shared', 'temp-agent', { tokenValue: created.body.token }), CLOSE.unauthenticated)
  })
})
