// [scale] Several instances sharing one registry on Postgres: each is a PostgresRegistry with its
// own pool, listening connection and in-memory replica of the op log (server/registry/PostgresRegistry.ts).

import { afterEach, describe, expect, it } from 'vitest'
import type { RegistryChange } from '../server/registry/index.ts'
import type { PostgresRegistry } from '../server/registry/index.ts'
import { freshDatabase } from './helpers/postgres.ts'
import { openPostgres } from '../server/pg/PgDatabase.ts'
import { openRegistryInstance, type RegistryInstance } from './registry/instances.ts'
import { waitFor } from './helpers/wait.ts'
import type { Role } from '../shared/model.ts'

const open: RegistryInstance[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((i) => i.close()))
})

async function instances(n: number): Promise<{ url: string; regs: PostgresRegistry[] }> {
  const url = await freshDatabase('regi')
  const regs: PostgresRegistry[] = []
  for (let i = 0; i < n; i++) {
    const instance = await openRegistryInstance(url, `i${i}`)
    open.push(instance)
    regs.push(instance.registry)
  }
  return { url, regs }
}

/** Everything a replica answers, for comparing two. */
function snapshot(reg: PostgresRegistry) {
  return {
    principals: reg.listPrincipals(),
    workspaces: reg.listWorkspaces().map((w) => ({ ...w, members: reg.members(w.id), settings: reg.settings(w.id) })),
  }
}

describe('registry shared by several instances (Postgres)', () => {
  it('[RG-M1] a principal created on A authenticates on B: at once after refresh(), and by notification without it', async () => {
    const {
      regs: [a, b],
    } = await instances(2)
    const { token } = await a.createPrincipal({ id: 'alice', kind: 'human' })
    // The auth path's catch-up: no waiting for the notification.
    expect(b.authenticate(token)).toBeNull()
    expect(await b.refresh()).toBe(true)
    expect(b.authenticate(token)?.id).toBe('alice')
    // Without asking: the NOTIFY brings it.
    const started = performance.now()
    const { token: second } = await a.createPrincipal({ id: 'bob', kind: 'agent' })
    await waitFor(() => b.authenticate(second) !== null, 'bob on B')
    console.log(`[registry] write on A → visible on B by notification: ${(performance.now() - started).toFixed(1)} ms (from the start of A's write)`)
    expect(b.seq).toBe(a.seq)
  })

  it('[RG-M2] 20 concurrent setMember from each of two instances all land exactly once; both replicas end identical', async () => {
    const {
      url,
      regs: [a, b],
    } = await instances(2)
    await a.createPrincipal({ id: 'owner', kind: 'human' })
    await a.createWorkspace({ id: 'w', owner: 'owner' })
    for (let i = 0; i < 40; i++) await (i % 2 ? a : b).createPrincipal({ id: `p${i}`, kind: 'agent' })
    const roles: Role[] = ['editor', 'reviewer', 'viewer']
    const head = a.seq
    const started = performance.now()
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i < 20 ? a : b).setMember('w', `p${i}`, roles[i % 3])))
    const ms = performance.now() - started
    console.log(`[registry] 40 concurrent setMember over 2 instances: ${ms.toFixed(0)} ms (${((40 / ms) * 1000).toFixed(0)} ops/s)`)
    await waitFor(() => a.seq === b.seq, 'replicas at the same seq')
    expect(a.seq - head).toBe(40)
    expect(snapshot(b)).toEqual(snapshot(a))
    expect(a.members('w')).toHaveLength(41)
    for (let i = 0; i < 40; i++) expect(b.roleOf('w', `p${i}`)).toBe(roles[i % 3])
    // The log holds each op exactly once, at dense seqs.
    const db = await openPostgres(url)
    try {
      const rows = (await db.query<{ n: number; max: number }>("SELECT count(*)::int AS n, max(seq) AS max FROM registry_ops WHERE op->>'t' = 'setMember'")).rows[0]
      expect(rows.n).toBe(40)
      const dense = (await db.query<{ n: number; max: number }>('SELECT count(*)::int AS n, max(seq) AS max FROM registry_ops')).rows[0]
      expect(dense.n).toBe(dense.max)
    } finally {
      await db.close()
    }
  })

  it('[RG-M3] a refused write on B (stale replica) is refused with the same error, after catching up', async () => {
    const {
      regs: [a, b],
    } = await instances(2)
    await a.createPrincipal({ id: 'alice', kind: 'human' })
    await a.createWorkspace({ id: 'w', owner: 'alice' })
    // B has not necessarily heard of any of it yet: its write catches up first.
    await expect(b.createWorkspace({ id: 'w' })).rejects.toThrow(/workspace w already exists/)
    await expect(b.removeMember('w', 'alice')).rejects.toThrow(/last owner of w/)
    await expect(b.createPrincipal({ id: 'alice', kind: 'agent' })).rejects.toThrow(/principal alice already exists/)
    expect(b.roleOf('w', 'alice')).toBe('owner')
  })

  it('[RG-M4] a revocation on A emits the change event on B', async () => {
    const {
      regs: [a, b],
    } = await instances(2)
    await a.createPrincipal({ id: 'eve', kind: 'agent' })
    const seen: RegistryChange[] = []
    b.onChange((c) => seen.push(c))
    await a.revokePrincipal('eve')
    await waitFor(() => seen.some((c) => c.kind === 'token'), 'the revocation on B')
    expect(seen).toEqual([{ kind: 'token', principal: 'eve', why: 'revoked' }])
    expect(b.getPrincipal('eve')).not.toBeNull()
  })

  it('[RG-M5] a restart replays the log; instances starting together apply the same bootstrap once in effect', async () => {
    const url = await freshDatabase('regr')
    const doc = {
      principals: [{ id: 'admin', kind: 'service', admin: true, token: 'pp_restart-admin-token-abcdefghijklmnop' }],
      workspaces: [{ id: 'paper', members: { admin: 'owner' } }],
    }
    const three = await Promise.all(['x', 'y', 'z'].map((id) => openRegistryInstance(url, id)))
    open.push(...three)
    await Promise.all(three.map((i) => i.registry.applyBootstrap(doc)))
    const { token } = await three[0].registry.createPrincipal({ id: 'late', kind: 'agent' })
    await three[1].registry.setMember('paper', 'late', 'editor')
    await three[2].registry.refresh()
    const before = snapshot(three[2].registry)
    expect(before.workspaces[0].members.map((m) => m.id)).toEqual(['admin', 'late'])
    const again = await openRegistryInstance(url, 'x2')
    open.push(again)
    expect(snapshot(again.registry)).toEqual(before)
    expect(again.registry.authenticate(token)?.id).toBe('late')
    expect(again.registry.authenticate('pp_restart-admin-token-abcdefghijklmnop')?.admin).toBe(true)
  })

  it('[RG-M6] a write that cannot reach the database is refused with a clear error and changes nothing; reads keep answering', async () => {
    const url = await freshDatabase('regu')
    const instance = await openRegistryInstance(url, 'cut')
    open.push(instance)
    const { token } = await instance.registry.createPrincipal({ id: 'kept', kind: 'agent' })
    await instance.db.close()
    await expect(instance.registry.createPrincipal({ id: 'lost', kind: 'agent' })).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/the registry's database did not answer .*; retry shortly/),
    })
    expect(instance.registry.getPrincipal('lost')).toBeNull()
    expect(instance.registry.authenticate(token)?.id).toBe('kept')
  })
})
