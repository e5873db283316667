// Acceptance suite for the Registry port (server/registry/Registry.ts). Every backend runs it
// (test/registry.test.ts: SQLite and Postgres); clause ids [RGn] name the clause each test checks.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RegistryError, hashToken, type Bootstrap, type Registry, type RegistryChange } from '../../server/registry/index.ts'
import { decideAccess } from '../../shared/access.ts'
import { parseRoom } from '../../shared/rooms.ts'
import { PALETTE } from '../../shared/presence/index.ts'

export interface RegistryFixture {
  registry: Registry
  /** Everything the backend stored, as text (to check no token is stored in the clear). */
  stored: () => Promise<string>
  /** Closes the registry and opens the same data again. */
  reopen: () => Promise<Registry>
  teardown: () => Promise<void>
}

/** The RegistryError code a call is refused with (fails if it is not refused so). */
export async function errorCode(fn: () => unknown): Promise<string> {
  try {
    await fn()
  } catch (err) {
    if (err instanceof RegistryError) return err.code
    throw err
  }
  throw new Error('expected a RegistryError')
}

export function runRegistryContract(name: string, setup: () => Promise<RegistryFixture>): void {
  describe(`Registry contract: ${name}`, () => {
    let fx: RegistryFixture
    let reg: Registry
    beforeEach(async () => {
      fx = await setup()
      reg = fx.registry
    })
    afterEach(async () => {
      await fx.teardown()
    })

    describe('principals and tokens', () => {
      it('[RG1] creates a principal with a random pp_ token stored only as its SHA-256 hash', async () => {
        const { id, token } = await reg.createPrincipal({ id: 'alice', kind: 'human', name: 'Alice' })
        expect(id).toBe('alice')
        expect(token).toMatch(/^pp_[A-Za-z0-9_-]{43}$/)
        expect((await reg.createPrincipal({ id: 'bob', kind: 'agent' })).token).not.toBe(token)
        const stored = await fx.stored()
        expect(stored).toContain(hashToken(token))
        expect(stored).not.toContain(token)
        expect(reg.authenticate(token)).toEqual({ id: 'alice', kind: 'human', name: 'Alice', admin: false })
      })

      it('[RG2] takes a given token, defaults the name to the id, and keeps the admin flag', async () => {
        await reg.createPrincipal({ id: 'root', kind: 'service', admin: true, token: 'root-token-1-abcdefghijklmnopqrstuvwxyz' })
        expect(reg.authenticate('root-token-1-abcdefghijklmnopqrstuvwxyz')).toEqual({ id: 'root', kind: 'service', name: 'root', admin: true })
        expect(reg.getPrincipal('root')?.admin).toBe(true)
        expect(reg.getPrincipal('nobody')).toBeNull()
      })

      it('[RG3] rejects duplicates as conflict and bad input as invalid, changing nothing', async () => {
        await reg.createPrincipal({ id: 'alice', kind: 'human', token: 'alice-token-abcdefghijklmnopqrstuvwxyz' })
        expect(await errorCode(() => reg.createPrincipal({ id: 'alice', kind: 'agent' }))).toBe('conflict')
        expect(await errorCode(() => reg.createPrincipal({ id: 'other', kind: 'agent', token: 'alice-token-abcdefghijklmnopqrstuvwxyz' }))).toBe('conflict')
        expect(await errorCode(() => reg.createPrincipal({ id: 'bad/id', kind: 'human' }))).toBe('invalid')
        expect(await errorCode(() => reg.createPrincipal({ id: 'x', kind: 'robot' as 'agent' }))).toBe('invalid')
        expect(await errorCode(() => reg.createPrincipal({ id: 'y', kind: 'agent', token: 'short' }))).toBe('invalid')
        await expect(reg.createPrincipal({ id: 'z', kind: 'agent', token: 'short' })).rejects.toThrow(/at least 32 random characters/)
        expect(reg.listPrincipals().map((p) => p.id)).toEqual(['alice'])
        expect(reg.getPrincipal('alice')?.kind).toBe('human')
      })

      it('[RG4] authenticates only known tokens of unrevoked principals; a revoked principal stays known', async () => {
        const { token } = await reg.createPrincipal({ id: 'agent-1', kind: 'agent' })
        expect(reg.authenticate('')).toBeNull()
        expect(reg.authenticate(token + 'x')).toBeNull()
        expect(reg.isRevokedToken(token)).toBe(false)
        await reg.revokePrincipal('agent-1')
        expect(reg.authenticate(token)).toBeNull()
        expect(reg.isRevokedToken(token)).toBe(true)
        expect(reg.getPrincipal('agent-1')?.kind).toBe('agent')
        expect(reg.listPrincipals()).toEqual([{ id: 'agent-1', kind: 'agent', name: 'agent-1', admin: false, revoked: true }])
        expect(await errorCode(() => reg.revokePrincipal('ghost'))).toBe('not_found')
      })

      it('[RG5] issueToken replaces the token and lifts a revocation; clearToken(s) leave no token', async () => {
        const { token: old } = await reg.createPrincipal({ id: 'agent-1', kind: 'agent' })
        await reg.revokePrincipal('agent-1')
        const fresh = await reg.issueToken('agent-1')
        expect(reg.authenticate(old)).toBeNull()
        expect(reg.authenticate(fresh)?.id).toBe('agent-1')
        expect(await reg.issueToken('agent-1', 'chosen-token-abcdefghijklmnopqrstuvwxyz')).toBe('chosen-token-abcdefghijklmnopqrstuvwxyz')
        expect(reg.authenticate(fresh)).toBeNull()
        expect(await errorCode(() => reg.issueToken('ghost'))).toBe('not_found')
        expect(await reg.clearToken('agent-1')).toBe(true)
        expect(await reg.clearToken('agent-1')).toBe(false)
        expect(reg.authenticate('chosen-token-abcdefghijklmnopqrstuvwxyz')).toBeNull()
        const { token: b } = await reg.createPrincipal({ id: 'b', kind: 'agent' })
        expect(await reg.clearTokens([b, 'unknown-token-abcdefghijklmnopqrstuvwxyz'])).toEqual(['b'])
        expect(reg.authenticate(b)).toBeNull()
      })
    })

    describe('workspaces and members', () => {
      beforeEach(async () => {
        for (const id of ['alice', 'bob', 'carol']) await reg.createPrincipal({ id, kind: 'human' })
      })

      it('[RG6] creates workspaces with defaults, rejects duplicates, lists them', async () => {
        expect(await reg.createWorkspace({ id: 'w1' })).toEqual({ id: 'w1', title: 'w1', visibility: 'private' })
        await reg.createWorkspace({ id: 'w0', title: 'Zero', visibility: 'team' })
        expect(reg.getWorkspace('w0')).toEqual({ id: 'w0', title: 'Zero', visibility: 'team' })
        expect(reg.visibility('w0')).toBe('team')
        expect(reg.getWorkspace('nope')).toBeNull()
        expect(await errorCode(() => reg.createWorkspace({ id: 'w1' }))).toBe('conflict')
        expect(await errorCode(() => reg.createWorkspace({ id: 'w 2' }))).toBe('invalid')
        expect(await errorCode(() => reg.createWorkspace({ id: 'w2', visibility: 'public' as 'team' }))).toBe('invalid')
        expect(reg.listWorkspaces().map((w) => w.id)).toEqual(['w0', 'w1'])
      })

      it('[RG7] creates a workspace with its owner atomically', async () => {
        await reg.createWorkspace({ id: 'w', owner: 'alice' })
        expect(reg.roleOf('w', 'alice')).toBe('owner')
        expect(await errorCode(() => reg.createWorkspace({ id: 'v', owner: 'ghost' }))).toBe('not_found')
        expect(reg.getWorkspace('v')).toBeNull()
      })

      it('[RG8] updates title and visibility', async () => {
        await reg.createWorkspace({ id: 'w', title: 'Old' })
        expect(await reg.updateWorkspace('w', { visibility: 'blind-until-submitted' })).toEqual({ id: 'w', title: 'Old', visibility: 'blind-until-submitted' })
        expect((await reg.updateWorkspace('w', { title: 'New' })).title).toBe('New')
        expect(await errorCode(() => reg.updateWorkspace('ghost', { title: 'x' }))).toBe('not_found')
      })

      it('[RG9] sets, changes, lists and removes members', async () => {
        await reg.createWorkspace({ id: 'w', title: 'W' })
        await reg.createWorkspace({ id: 'v', visibility: 'team' })
        await reg.setMember('w', 'alice', 'owner')
        await reg.setMember('w', 'bob', 'viewer')
        await reg.setMember('w', 'bob', 'editor')
        await reg.setMember('v', 'bob', 'reviewer')
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
        expect(await reg.removeMember('w', 'bob')).toBe(true)
        expect(await reg.removeMember('w', 'bob')).toBe(false)
        expect(reg.roleOf('w', 'bob')).toBeNull()
      })

      it('[RG10] a workspace keeps an owner: the last one can be neither demoted nor removed', async () => {
        await reg.createWorkspace({ id: 'w', owner: 'alice' })
        expect(await errorCode(() => reg.setMember('w', 'alice', 'editor'))).toBe('conflict')
        await expect(reg.removeMember('w', 'alice')).rejects.toThrow(/last owner of w; make another member owner first/)
        await reg.setMember('w', 'bob', 'owner')
        expect(await reg.removeMember('w', 'alice')).toBe(true)
        expect(reg.roleOf('w', 'bob')).toBe('owner')
      })

      it('[RG11] reports unknown workspaces and principals as not_found and bad roles as invalid', async () => {
        await reg.createWorkspace({ id: 'w' })
        expect(await errorCode(() => reg.setMember('ghost', 'alice', 'owner'))).toBe('not_found')
        expect(await errorCode(() => reg.setMember('w', 'ghost', 'owner'))).toBe('not_found')
        expect(await errorCode(() => reg.setMember('w', 'alice', 'god' as 'owner'))).toBe('invalid')
        expect(await errorCode(() => reg.members('ghost'))).toBe('not_found')
        expect(await errorCode(() => reg.removeMember('ghost', 'alice'))).toBe('not_found')
      })

      it('[RG12] marks namespace submissions per member, and feeds the access policy', async () => {
        await reg.createWorkspace({ id: 'w', visibility: 'blind-until-submitted' })
        await reg.setMember('w', 'alice', 'editor')
        await reg.setMember('w', 'bob', 'editor')
        const canBobRead = () => {
          const room = parseRoom('w/ns/alice')!
          const req = { principal: 'bob', role: reg.roleOf('w', 'bob'), visibility: reg.getWorkspace('w')!.visibility, room }
          return decideAccess({ ...req, namespaceSubmitted: reg.isSubmitted('w', 'alice') }, 'read').allow
        }
        expect(reg.isSubmitted('w', 'alice')).toBe(false)
        expect(canBobRead()).toBe(false)
        await reg.setSubmitted('w', 'alice', true)
        expect(reg.isSubmitted('w', 'alice')).toBe(true)
        expect(reg.members('w').find((m) => m.id === 'alice')?.submitted).toBe(true)
        expect(canBobRead()).toBe(true)
        await reg.setSubmitted('w', 'alice', false)
        expect(reg.isSubmitted('w', 'alice')).toBe(false)
        expect(await errorCode(() => reg.setSubmitted('w', 'carol', true))).toBe('not_found')
        expect(reg.isSubmitted('w', 'carol')).toBe(false)
      })

      it('[RG13] workspace settings: defaults, validated whole, stored', async () => {
        await reg.createWorkspace({ id: 'w' })
        expect(reg.settings('w')).toEqual({ arbiter: { autoApply: [] } })
        expect(reg.settings('ghost')).toBeNull()
        expect(await reg.setSettings('w', { arbiter: { autoApply: ['map-key-overwrite'] } })).toEqual({ arbiter: { autoApply: ['map-key-overwrite'] } })
        expect(reg.settings('w')).toEqual({ arbiter: { autoApply: ['map-key-overwrite'] } })
        expect(await errorCode(() => reg.setSettings('w', { arbiter: { autoApply: [] }, extra: true }))).toBe('invalid')
        await expect(reg.setSettings('ghost', {})).rejects.toThrow(/no workspace ghost/)
        expect(reg.settings('w')).toEqual({ arbiter: { autoApply: ['map-key-overwrite'] } })
      })
    })

    describe('member colours', () => {
      const enrol = async (ws: string, ids: string[]) => {
        for (const id of ids) {
          if (!reg.getPrincipal(id)) await reg.createPrincipal({ id, kind: 'agent' })
          await reg.setMember(ws, id, 'editor')
        }
      }
      it('[RG14] every member of a workspace gets its own palette colour, once, kept when its role changes', async () => {
        await reg.createWorkspace({ id: 'w', title: 'W' })
        const ids = PALETTE.map((_, i) => `p${i}`)
        await enrol('w', ids)
        const colors = ids.map((id) => reg.colorOf('w', id))
        expect(new Set(colors).size).toBe(PALETTE.length)
        expect(colors.every((c) => PALETTE.includes(c as string))).toBe(true)
        await reg.setMember('w', 'p3', 'viewer')
        expect(reg.colorOf('w', 'p3')).toBe(colors[3])
        expect(reg.members('w').find((m) => m.id === 'p3')?.color).toBe(colors[3])
        expect(reg.colorOf('w', 'nobody')).toBeNull()
      })
      it('[RG15] a member who leaves frees its colour for the next one; other workspaces count separately', async () => {
        await reg.createWorkspace({ id: 'w', title: 'W' })
        await reg.createWorkspace({ id: 'v', title: 'V' })
        await enrol('w', ['a', 'b', 'c'])
        const b = reg.colorOf('w', 'b')
        await reg.removeMember('w', 'b')
        await enrol('w', ['d'])
        expect(reg.colorOf('w', 'd')).toBe(b)
        await enrol('v', ['c'])
        expect(reg.colorOf('v', 'c')).toBe(PALETTE[0])
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

      it('[RG16] creates principals, workspaces and members, and is idempotent', async () => {
        expect(await reg.applyBootstrap(doc)).toEqual({ principals: 2, workspaces: 1, members: 2 })
        const snapshot = () => [reg.listPrincipals(), reg.listWorkspaces(), reg.members('paper')]
        const first = snapshot()
        await reg.applyBootstrap(doc)
        expect(snapshot()).toEqual(first)
        expect(reg.authenticate('admin-token-abcdefghijklmnopqrstuvwxyz')).toEqual({ id: 'admin', kind: 'human', name: 'Admin', admin: true })
        expect(reg.roleOf('paper', 'critic')).toBe('reviewer')
        expect(reg.getWorkspace('paper')).toEqual({ id: 'paper', title: 'Paper', visibility: 'team' })
        expect(await fx.stored()).not.toContain('critic-token-abcdefghijklmnopqrstuvwxyz')
      })

      it('[RG17] re-applying with a changed token replaces the hash', async () => {
        await reg.applyBootstrap(doc)
        await reg.applyBootstrap({ ...doc, principals: [{ ...doc.principals![1], token: 'critic-token-abcdefghijklmnopqrstuvwxyz-2' }] })
        expect(reg.authenticate('critic-token-abcdefghijklmnopqrstuvwxyz')).toBeNull()
        expect(reg.authenticate('critic-token-abcdefghijklmnopqrstuvwxyz-2')?.id).toBe('critic')
      })

      it('[RG18] keeps stored values for omitted fields, runtime members, submissions and revocations', async () => {
        await reg.applyBootstrap(doc)
        await reg.createPrincipal({ id: 'late', kind: 'human' })
        await reg.setMember('paper', 'late', 'viewer')
        await reg.setSubmitted('paper', 'critic', true)
        await reg.revokePrincipal('critic')
        await reg.applyBootstrap({
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

      it('[RG19] rejects an invalid document as invalid, with a readable message, and applies nothing', async () => {
        const bad = { principals: [{ id: 'x', kind: 'human' }] } // no token
        await expect(reg.applyBootstrap(bad)).rejects.toThrow(/token/)
        expect(await errorCode(() => reg.applyBootstrap(bad))).toBe('invalid')
        expect(await errorCode(() => reg.applyBootstrap({ workspaces: [{ id: 'w', members: { x: 'boss' } }] }))).toBe('invalid')
        // Valid shape, unknown member: the whole bootstrap rolls back.
        const dangling = { ...doc, workspaces: [...doc.workspaces!, { id: 'w2', members: { ghost: 'owner' } }] }
        await expect(reg.applyBootstrap(dangling)).rejects.toThrow(/workspace w2 names unknown principal ghost/)
        expect(reg.listPrincipals()).toEqual([])
        expect(reg.listWorkspaces()).toEqual([])
      })

      it('[RG20] applies 1,000 workspaces with a few members each at once (prints the time)', async () => {
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
        const result = await reg.applyBootstrap({ principals, workspaces })
        const t1 = performance.now()
        await reg.applyBootstrap({ principals, workspaces })
        const t2 = performance.now()
        console.log(`[registry ${name}] bootstrap 200 principals, 1000 workspaces, 4000 members: ${(t1 - t0).toFixed(1)} ms; re-apply ${(t2 - t1).toFixed(1)} ms`)
        expect(result).toEqual({ principals: 200, workspaces: 1000, members: 4000 })
        expect(reg.listWorkspaces().length).toBe(1000)
        expect(reg.roleOf('ws999', `p${999 % 200}`)).toBe('owner')
        expect(reg.listWorkspacesFor('p0').length).toBe(20)
      })
    })

    describe('changes and persistence', () => {
      it('[RG21] announces what a write changed: revocations, rotations, members, submissions, visibility; a refused write announces nothing', async () => {
        const seen: RegistryChange[] = []
        reg.onChange((c) => seen.push(c))
        await reg.createPrincipal({ id: 'alice', kind: 'human' })
        await reg.createPrincipal({ id: 'bob', kind: 'human' })
        await reg.createWorkspace({ id: 'w', owner: 'alice' })
        await reg.setMember('w', 'bob', 'editor')
        await reg.setSubmitted('w', 'bob', true)
        await reg.setSubmitted('w', 'bob', false)
        await reg.updateWorkspace('w', { visibility: 'team' })
        await reg.updateWorkspace('w', { title: 'only the title' })
        await reg.removeMember('w', 'bob')
        await errorCode(() => reg.removeMember('w', 'alice'))
        await reg.issueToken('bob')
        await reg.revokePrincipal('bob')
        expect(seen).toEqual([
          { kind: 'member', workspace: 'w', principal: 'alice', role: 'owner' },
          { kind: 'member', workspace: 'w', principal: 'bob', role: 'editor' },
          { kind: 'submitted', workspace: 'w', principal: 'bob', submitted: true },
          { kind: 'submitted', workspace: 'w', principal: 'bob', submitted: false },
          { kind: 'visibility', workspace: 'w', visibility: 'team' },
          { kind: 'member', workspace: 'w', principal: 'bob', role: null },
          { kind: 'token', principal: 'bob', why: 'rotated' },
          { kind: 'token', principal: 'bob', why: 'revoked' },
        ])
      })

      it('[RG22] survives a reopen: principals, tokens, members, colours, settings, revocations', async () => {
        const { token } = await reg.createPrincipal({ id: 'alice', kind: 'human' })
        const { token: gone } = await reg.createPrincipal({ id: 'bob', kind: 'human' })
        await reg.createWorkspace({ id: 'w', owner: 'alice' })
        await reg.setMember('w', 'bob', 'editor')
        await reg.setSettings('w', { arbiter: { autoApply: ['map-key-overwrite'] } })
        await reg.revokePrincipal('bob')
        const before = [reg.listPrincipals(), reg.listWorkspaces(), reg.members('w'), reg.settings('w')]
        reg = await fx.reopen()
        expect(reg.authenticate(token)?.id).toBe('alice')
        expect(reg.authenticate(gone)).toBeNull()
        expect(reg.isRevokedToken(gone)).toBe(true)
        expect(reg.roleOf('w', 'alice')).toBe('owner')
        expect([reg.listPrincipals(), reg.listWorkspaces(), reg.members('w'), reg.settings('w')]).toEqual(before)
      })
    })
  })
}
