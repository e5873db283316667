// [work] Workspace settings in the registry (a migration adds them to databases from before) and
// the pure proposal policy: who may propose, and when a proposal applies itself.

import { describe, expect, it } from 'vitest'
import { migrate, openDatabase } from '../server/db.ts'
import { SqliteRegistry, RegistryError } from '../server/registry/index.ts'
import { REGISTRY_SCHEMA } from '../server/registry/sql.ts'
import { decideProposal, decideProposalApplication, ProposalBodySchema } from '../shared/conflicts/index.ts'
import { DEFAULT_WORKSPACE_SETTINGS, WorkspaceSettingsSchema } from '../shared/workspaceSettings.ts'
import { ROLES } from '../shared/model.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'

describe('workspace settings in the registry', () => {
  it('a database from before settings gains them: old workspaces read the defaults, changes are stored and validated', async () => {
    const db = openDatabase(':memory:')
    migrate(db, 'registry/1-init', REGISTRY_SCHEMA)
    db.prepare("INSERT INTO workspaces (id, title, visibility, created_at) VALUES ('old', 'Old', 'team', 0)").run()
    const registry = new SqliteRegistry(db)
    expect(registry.settings('old')).toEqual(DEFAULT_WORKSPACE_SETTINGS)
    expect(registry.settings('missing')).toBeNull()
    expect(await registry.setSettings('old', { arbiter: { autoApply: ['map-key-overwrite'] } })).toEqual({ arbiter: { autoApply: ['map-key-overwrite'] } })
    expect(new SqliteRegistry(db).settings('old')).toEqual({ arbiter: { autoApply: ['map-key-overwrite'] } })
    await expect(registry.setSettings('old', { arbiter: { autoApply: ['map-key-overwrite', 'map-key-overwrite'] } })).rejects.toThrow(RegistryError)
    await expect(registry.setSettings('old', { arbiter: { autoApply: [] }, extra: true })).rejects.toThrow(/invalid workspace settings/)
    await expect(registry.setSettings('nope', {})).rejects.toThrow(/no workspace nope/)
    // A row this version cannot read falls back to the safe defaults (approval required).
    db.prepare("UPDATE workspaces SET settings = ? WHERE id = 'old'").run(JSON.stringify({ arbiter: { autoApply: ['future-kind'] } }))
    expect(registry.settings('old')).toEqual(DEFAULT_WORKSPACE_SETTINGS)
    db.close()
  })

  it('an empty object means the defaults', () => {
    expect(WorkspaceSettingsSchema.parse({})).toEqual(DEFAULT_WORKSPACE_SETTINGS)
  })
})

describe('proposal policy', () => {
  const mapConflict = { kind: 'map-key-overwrite', status: 'open', location: { kind: 'map', path: ['meta', 'status'] } } as const satisfies Pick<
    ConflictRecord,
    'kind' | 'status' | 'location'
  >
  const textConflict = { ...mapConflict, kind: 'overlapping-text-edit' } as const
  const mapsApply = { arbiter: { autoApply: ['map-key-overwrite' as const] } }

  it('owners, editors and reviewers propose; viewers and non-members do not; nobody proposes for a decided claim race', () => {
    expect(ROLES.map((role) => [role, decideProposal(role, mapConflict).allow])).toEqual([
      ['owner', true],
      ['editor', true],
      ['reviewer', true],
      ['viewer', false],
    ])
    expect(decideProposal(null, mapConflict).allow).toBe(false)
    expect(decideProposal('owner', { ...mapConflict, status: 'decided' })).toMatchObject({ allow: false, reason: expect.stringMatching(/decided/) })
  })

  it('applies itself only for an allowed kind and a proposer who may resolve', () => {
    const table = ROLES.flatMap((role) =>
      [mapConflict, textConflict].flatMap((record) =>
        [DEFAULT_WORKSPACE_SETTINGS, mapsApply].map((settings) => [
          role,
          record.kind,
          settings.arbiter.autoApply.length > 0,
          decideProposalApplication(settings, role, record).apply,
        ]),
      ),
    )
    expect(table.filter(([, , , apply]) => apply)).toEqual([
      ['owner', 'map-key-overwrite', true, true],
      ['editor', 'map-key-overwrite', true, true],
    ])
  })

  it('a proposal body gives a choice and reasoning, within bounds', () => {
    expect(ProposalBodySchema.safeParse({ pick: 'alice', reasoning: 'why' }).success).toBe(true)
    expect(ProposalBodySchema.safeParse({ value: 'x', reasoning: 'why' }).success).toBe(true)
    expect(ProposalBodySchema.safeParse({ pick: 'alice' }).success).toBe(false)
    expect(ProposalBodySchema.safeParse({ pick: 'alice', value: 'x', reasoning: 'both' }).success).toBe(false)
    expect(ProposalBodySchema.safeParse({ value: 'x'.repeat(16_001), reasoning: 'long' }).success).toBe(false)
  })
})
