// Workspace settings that owners change through the API (PUT /api/workspaces/:ws/settings) and
// the server stores with the workspace in the registry. Today: what an arbiter may do alone.
import * as z from 'zod'
import type { ConflictKind } from './conflicts/types.ts'

/** Kinds a proposal may resolve without a person: every kind with a value to write (claim races are decided by the server). */
export const AUTO_APPLICABLE_KINDS = ['map-key-overwrite', 'overlapping-text-edit', 'duplicated-text', 'schema-mismatch'] as const satisfies readonly ConflictKind[]

export const ArbiterSettingsSchema = z
  .object({
    /**
     * Conflict kinds whose proposals are applied at once when the proposer may resolve conflicts
     * (an editor or owner). Empty (the default): a person approves every proposal.
     */
    autoApply: z
      .array(z.enum(AUTO_APPLICABLE_KINDS, { error: `autoApply lists conflict kinds, of ${AUTO_APPLICABLE_KINDS.join(', ')}` }))
      .max(AUTO_APPLICABLE_KINDS.length)
      .refine((kinds) => new Set(kinds).size === kinds.length, 'autoApply lists each kind once')
      .default([]),
  })
  .strict()

export const WorkspaceSettingsSchema = z
  .object({
    arbiter: ArbiterSettingsSchema.default({ autoApply: [] }),
  })
  .strict()

export type WorkspaceSettings = z.output<typeof WorkspaceSettingsSchema>
export type WorkspaceSettingsInput = z.input<typeof WorkspaceSettingsSchema>

/** Safe by default: a person approves every proposal. */
export const DEFAULT_WORKSPACE_SETTINGS: WorkspaceSettings = { arbiter: { autoApply: [] } }
