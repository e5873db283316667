import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Database } from '../server/db.ts'
import { Registry, RegistryError, hashToken, type Bootstrap } from '../server/registry/index.ts'
import { decideAccess } from '../shared/access.ts'
import { parseRoom } from '../shared/rooms.ts'
import { PALETTE } from '../shared/presence/index.ts'

let db: Database
let reg: Registry
beforeEach(() => {
  db = openDatabase(':memory:')
  reg = new Registry(db)
})
afterEach(() => db.close())

function errorCode(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof RegistryError) return err.code
    throw err
  }
  throw new Error('expected a RegistryError')
}

describe('principals and tokens', () => {
  it('creates a principal with a random pp_ token stored only as its SHA-256 hash', () => {
    const { id, token } = reg.createPrincipal({ id: 'alice', kind: 'human', name: 'Alice' })
    expect(id).toBe('alice')
    expect(token).toMatch(/^pp_[A-Za-z0-9_-]{43}$/)
    expect(reg.createPrincipal({ id: 'bob', kind: 'agent' }).token).not.toBe(token)
    const row = db.prepare('SELECT * FROM principals WHERE id = ?').get('alice') as Record<string, unknown>
    expect(row.token_hash).toBe(hashToken(token))
    expect(JSON.stringify(db.prepare('SELECT * FROM principals').all())).not.toContain(token)
    expect(reg.authenticate(token)).toEqual({ id: 'alice', kind: 'human', name: 'Alice', admin: false })
  })

  it('takes a given token, defaults the name to the id, and keeps the admin flag', () => {
    reg.createPrincipal({ id: 'root', kind: 'service', admin: true, token: 'root-token-1-abcdefghijklmnopqrstuvwxyz' })
    expect(reg.authenticate('root-token-1-abcdefghijklmnopqrstuvwxyz')).toEqual({ id: 'root', kind: 'service', name: 'root', admin: true })
    expect(reg.getPrincipal('root')?.admin).toBe(true)
    expect(reg.getPrincipal('nobody')).toBeNull()
  })

  it('rejects duplicates as conflict and bad input as invalid', () => {
    reg.createPrincipal({ id: 'alice', kind: 'human', token: 'alice-token-abcdefghijklmnopqrstuvwxyz' })
    expect(errorCode(() => reg.createPrincipal({ id: 'alice', kind: 'agent' }))).toBe('conflict')
    expect(errorCode(() => reg.createPrincipal({ id: 'other', kind: 'agent', token: 'alice-token-abcdefghijklmnopqrstuvwxyz' }))).toBe('conflict')
    expect(errorCode(() => reg.createPrincipal({ id: 'bad/id', kind: 'human' }))).toBe('invalid')
    expect(errorCode(() => reg.createPrincipal({ id: 'x', kind: 'robot' as 'agent' }))).toBe('invalid')
    expect(errorCode(() => reg.createPrincipal({ id: 'y', kind: 'agent', token: 'short' }))).toBe('invalid')
  })

  it('authenticates only known tokens of unrevoked principals', () => {
    const { token } = reg.createPrincipal({ id: 'agent-1', kind: 'agent' })
    expect(reg.authenticate('')).toBeNull()
    expect(reg.authenticate(token + 'x')).toBeNull()
    reg.revokePrincipal('agent-1')
    expect(reg.authenticate(token)).toBeNull()
    // The principal stays known so history can still name it.
    expect(reg.getPrincipal('agent-1')?.kind).toBe('agent')
    expect(reg.listPrincipals()).toEqual([{ id: 'agent-1', kind: 'agent', name: 'agent-1', admin: false, revoked: true }])
    expect(errorCode(() => reg.revokePrincipal('ghost'))).toBe('not_found')
  })

  it('issueToken replaces the token and lifts a revocation', () => {
    const { token: old } = reg.createPrincipal({ id: 'agent-1', kind: 'agent' })
    reg.revokePrincipal('agent-1')
    const fresh = reg.issueToken('agent-1')
    expect(reg.authenticate(old)).toBeNull()
    expect(reg.authenticate(fresh)?.id).toBe('agent-1')
    expect(reg.issueToken('agent-1', 'chosen-token-abcdefghijklmnopqrstuvwxyz')).toBe('chosen-token-abcdefghijklmnopqrstuvwxyz')
    expect(reg.authenticate(fresh)).toBeNull()
    expect(errorCode(() => reg.issueToken('ghost'))).toBe('not_found')
  })
})

describe('workspaces and members', () => {
  beforeEach(() => {
    for (const id of ['alice', 'bob', 'carol']) reg.createPrincipal({ id, kind: 'human' })
  })

  it('creates workspaces with defaults, rejects duplicates, lists them', () => {
    expect(reg.createWorkspace({ id: 'w1' })).toEqual({ id: 'w1', title: 'w1', visibility: 'private' })
    reg.createWorkspace({ id: 'w0', title: 'Zero', visibility: 'team' })
    expect(reg.getWorkspace('w0')).toEqual({ id: 'w0', title: 'Zero', visibility: 'team' })
    expect(reg.getWorkspace('nope')).toBeNull()
    expect(errorCode(() => reg.createWorkspace({ id: 'w1' }))).toBe('conflict')
    expect(errorCode(() => reg.createWorkspace({ id: 'w 2' }))).toBe('invalid')
    expect(errorCode(() => reg.createWorkspace({ id: 'w2', visibility: 'public' as 'team' }))).toBe('invalid')
    expect(reg.listWorkspaces().map((w) => w.id)).toEqual(['w0', 'w1'])
  })

  it('creates a workspace with its owner atomically', () => {
    reg.createWorkspace({ id: 'w', owner: 'alice' })
    expect(reg.roleOf('w', 'alice')).toBe('owner')
    expect(errorCode(() => reg.createWorkspace({ id: 'v', owner: 'ghost' }))).toBe('not_found')
    expect(reg.getWorkspace('v')).toBeNull()
  })

  it('updates title and visibility', () => {
    reg.createWorkspace({ id: 'w', title: 'Old' })
    expect(reg.updateWorkspace('w', { visibility: 'blind-until-submitted' })).toEqual({
      id: 'w',
      title: 'Old',
      visibility: 'blind-until-submitted',
    })
    expect(reg.updateWorkspace('w', { title: 'New' }).title).toBe('New')
    expect(errorCode(() => reg.updateWorkspace('ghost', { title: 'x' }))).toBe('not_found')
  })

  it('sets, changes, lists and removes members', () => {
    reg.createWorkspace({ id: 'w', title: 'W' })
    reg.createWorkspace({ id: 'v', visibility: 'team' })
    reg.setMember('w', 'alice', 'owner')
    reg.setMember('w', 'bob', 'viewer')
    reg.setMember('w', 'bob', 'editor')
    reg.setMember('v', 'bob', 'reviewer')
    expect(reg.roleOf('w', 'bob')).toBe('editor')
    expect(reg.roleOf('w', 'carol')).toBeNull()
    expect(reg.roleOf('ghost', 'bob')).toBeNull()
    expect(reg.members('w')).toEqual([
      { id: 'alice', kind: 'human', name: 'alice', role: 'owner', submitted: false, color: PALETTE[0] },
      { id: 'bob', kind: 'human', name: 'bob', role: 'editor', submitted: false, color: PALETTE[1] },
    ])
    expect(reg.listWorkspacesFor('bob')).toEqual([
      { id: 'v', title: 'v', visibility: 'team', role: 'reviewer' },
      { id: 'w', title: 'W', visibility: 'private', role: 'editor' },
    ])
    expect(reg.listWorkspacesFor('carol')).toEqual([])
    expect(reg.removeMember('w', 'bob')).toBe(true)
    expect(reg.removeMember('w', 'bob')).toBe(false)
    expect(reg.roleOf('w', 'bob')).toBeNull()
  })

  it('reports unknown workspaces and principals as not_found and bad roles as invalid', () => {
    reg.createWorkspace({ id: 'w' })
    expect(errorCode(() => reg.setMember('ghost', 'alice', 'owner'))).toBe('not_found')
    expect(errorCode(() => reg.setMember('w', 'ghost', 'owner'))).toBe('not_found')
    expect(errorCode(() => reg.setMember('w', 'alice', 'god' as 'owner'))).toBe('invalid')
    expect(errorCode(() => reg.members('ghost'))).toBe('not_found')
    expect(errorCode(() => reg.removeMember('ghost', 'alice'))).toBe('not_found')
  })

  it('marks namespace submissions per member, and feeds the access policy', () => {
    reg.createWorkspace({ id: 'w', visibility: 'blind-until-submitted' })
    reg.setMember('w', 'alice', 'editor')
    reg.setMember('w', 'bob', 'editor')
    const canBobRead = () => {
      const room = parseRoom('w/ns/alice')!
      const req = { principal: 'bob', role: reg.roleOf('w', 'bob'), visibility: reg.getWorkspace('w')!.visibility, room }
      return decideAccess({ ...req, namespaceSubmitted: reg.isSubmitted('w', 'alice') }, 'read').allow
    }
    expect(reg.isSubmitted('w', 'alice')).toBe(false)
    expect(canBobRead()).toBe(false)
    reg.setSubmitted('w', 'alice', true)
    expect(reg.isSubmitted('w', 'alice')).toBe(true)
    expect(reg.members('w').find((m) => m.id === 'alice')?.submitted).toBe(true)
    expect(canBobRead()).toBe(true)
    reg.setSubmitted('w', 'alice', false)
    expect(reg.isSubmitted('w', 'alice')).toBe(false)
    expect(errorCode(() => reg.setSubmitted('w', 'carol', true))).toBe('not_found')
    expect(reg.isSubmitted('w', 'carol')).toBe(false)
  })
})

describe('applyBootstrap', () => {
  const doc: Bootstrap = {
    principals: [
      { id: 'admin', kind: 'human', name: 'Admin', token: 'admin-token-abcdefghijklmnopqrstuvwxyz', admin: true },
      { id: 'critic', kind: 'agent', token: 'critic-token-abcdefghijklmnopqrstuvwxyz' },
    ],
    workspaces: [{ id: 'paper', title: 'Paper', visibility: 'team', members: { admin: 'owner', critic: 'reviewer' } }],
  }

  it('creates principals, workspaces and members, and is idempotent', () => {
    expect(reg.applyBootstrap(doc)).toEqual({ principals: 2, workspaces: 1, members: 2 })
    const snapshot = () => [reg.listPrincipals(), reg.listWorkspaces(), reg.members('paper')]
    const first = snapshot()
    reg.applyBootstrap(doc)
    expect(snapshot()).toEqual(first)
    expect(reg.authenticate('admin-token-abcdefghijklmnopqrstuvwxyz')).toEqual({ id: 'admin', kind: 'human', name: 'Admin', admin: true })
    expect(reg.roleOf('paper', 'critic')).toBe('reviewer')
    expect(reg.getWorkspace('paper')).toEqual({ id: 'paper', title: 'Paper', visibility: 'team' })
  })

  it('re-applying with a changed token replaces the hash', () => {
    reg.applyBootstrap(doc)
    reg.applyBootstrap({ ...doc, principals: [{ ...doc.principals![1], token: 'critic-token-abcdefghijklmnopqrstuvwxyz-2' }] })
    expect(reg.authenticate('critic-token-abcdefghijklmnopqrstuvwxyz')).toBeNull()
    expect(reg.authenticate('critic-token-abcdefghijklmnopqrstuvwxyz-2')?.id).toBe('critic')
  })

  it('keeps stored values for omitted fields, runtime members, submissions and revocations', () => {
    reg.applyBootstrap(doc)
    reg.createPrincipal({ id: 'late', kind: 'human' })
    reg.setMember('paper', 'late', 'viewer')
    reg.setSubmitted('paper', 'critic', true)
    reg.revokePrincipal('critic')
    reg.applyBootstrap({
      principals: [{ id: 'admin', kind: 'human', token: 'admin-token-abcdefghijklmnopqrstuvwxyz' }, doc.principals![1]],
      workspaces: [{ id: 'paper', members: { critic: 'editor' } }],
    })
    expect(reg.getPrincipal('admin')).toEqual({ id: 'admin', kind: 'human', name: 'Admin', admin: true })
    expect(reg.getWorkspace('paper')).toEqual({ id: 'paper', title: 'Paper', visibility: 'team' })
    expect(reg.roleOf('paper', 'late')).toBe('viewer')
    expect(reg.roleOf('paper', 'critic')).toBe('editor')
    expect(reg.isSubmitted('paper', 'critic')).toBe(true)
    expect(reg.authenticate('critic-token-abcdefghijklmnopqrstuvwxyz')).toBeNull()
  })

  it('rejects an invalid document as invalid, with a readable message, and applies nothing', () => {
    const bad = { principals: [{ id: 'x', kind: 'human' }] } // no token
    expect(() => reg.applyBootstrap(bad)).toThrow(/token/)
    expect(errorCode(() => reg.applyBootstrap(bad))).toBe('invalid')
    expect(errorCode(() => reg.applyBootstrap({ workspaces: [{ id: 'w', members: { x: 'boss' } }] }))).toBe('invalid')
    // Valid shape, unknown member: the whole transaction rolls back.
    const dangling = { ...doc, workspaces: [...doc.workspaces!, { id: 'w2', members: { ghost: 'owner' } }] }
    expect(errorCode(() => reg.applyBootstrap(dangling))).toBe('invalid')
    expect(reg.listPrincipals()).toEqual([])
    expect(reg.listWorkspaces()).toEqual([])
  })

  it('applies 1,000 workspaces with a few members each in one transaction (prints the time)', () => {
    const principals = Array.from({ length: 200 }, (_, i) => ({
      id: `p${i}`,
      kind: i % 2 ? ('agent' as const) : ('human' as const),
      token: `token-of-p${i}-abcdefghijklmnopqrstuvwxyz`,
    }))
    const workspaces = Array.from({ length: 1000 }, (_, i) => ({
      id: `ws${i}`,
      title: `Workspace ${i}`,
      members: Object.fromEntries([0, 1, 2, 3].map((k) => [`p${(i + k * 37) % 200}`, k === 0 ? 'owner' : 'editor'])),
    }))
    const t0 = performance.now()
    const result = reg.applyBootstrap({ principals, workspaces })
    const t1 = performance.now()
    reg.applyBootstrap({ principals, workspaces })
    const t2 = performance.now()
    console.log(`[registry] bootstrap 200 principals, 1000 workspaces, 4000 members: ${(t1 - t0).toFixed(1)} ms; re-apply ${(t2 - t1).toFixed(1)} ms`)
    expect(result).toEqual({ principals: 200, workspaces: 1000, members: 4000 })
    expect(reg.listWorkspaces().length).toBe(1000)
    expect(reg.roleOf('ws999', `p${999 % 200}`)).toBe('owner')
    expect(reg.listWorkspacesFor('p0').length).toBe(20)
  })
})

describe('persistence', () => {
  it('survives reopening the database file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polyphony-registry-'))
    try {
      const file = join(dir, 'reg.db')
      const first = openDatabase(file)
      const r1 = new Registry(first)
      const { token } = r1.createPrincipal({ id: 'alice', kind: 'human' })
      r1.createWorkspace({ id: 'w', owner: 'alice' })
      first.close()
      const second = openDatabase(file)
      const r2 = new Registry(second)
      expect(r2.authenticate(token)?.id).toBe('alice')
      expect(r2.roleOf('w', 'alice')).toBe('owner')
      second.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('member colours', () => {
  const enrol = (ws: string, ids: string[]) => {
    for (const id of ids) {
      if (!reg.getPrincipal(id)) reg.createPrincipal({ id, kind: 'agent' })
      reg.setMember(ws, id, 'editor')
    }
  }
  it('every member of a workspace gets its own palette colour, once, kept when its role changes', () => {
    reg.createWorkspace({ id: 'w', title: 'W' })
    const ids = PALETTE.map((_, i) => `p${i}`)
    enrol('w', ids)
    const colors = ids.map((id) => reg.colorOf('w', id))
    expect(new Set(colors).size).toBe(PALETTE.length)
    expect(colors.every((c) => PALETTE.includes(c as string))).toBe(true)
    reg.setMember('w', 'p3', 'viewer')
    expect(reg.colorOf('w', 'p3')).toBe(colors[3])
    expect(reg.members('w').find((m) => m.id === 'p3')?.color).toBe(colors[3])
    expect(reg.colorOf('w', 'nobody')).toBeNull()
  })
  it('a member who leaves frees its colour for the next one; other workspaces count separately', () => {
    reg.createWorkspace({ id: 'w', title: 'W' })
    reg.createWorkspace({ id: 'v', title: 'V' })
    enrol('w', ['a', 'b', 'c'])
    const b = reg.colorOf('w', 'b')
    reg.removeMember('w', 'b')
    enrol('w', ['d'])
    expect(reg.colorOf('w', 'd')).toBe(b)
    enrol('v', ['c'])
    expect(reg.colorOf('v', 'c')).toBe(PALETTE[0])
  })
  it('members from before colours existed get theirs at start, in the order they joined', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reg-colors-'))
    try {
      const file = join(dir, 'r.db')
      const old = openDatabase(file)
      new Registry(old).applyBootstrap({
        principals: [
          { id: 'zed', kind: 'human', token: 'z'.repeat(20) + 'abcdefghijkl' },
          { id: 'amy', kind: 'human', token: 'a'.repeat(20) + 'bcdefghijklm' },
        ],
        workspaces: [{ id: 'w', members: { zed: 'owner', amy: 'editor' } }],
      })
      old.prepare('UPDATE members SET color = NULL').run()
      old.close()
      const reopened = openDatabase(file)
      try {
        const r = new Registry(reopened)
        expect([r.colorOf('w', 'zed'), r.colorOf('w', 'amy')]).toEqual([PALETTE[0], PALETTE[1]])
      } finally {
        reopened.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
