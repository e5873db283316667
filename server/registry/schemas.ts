// zod schemas for every registry input, including the declarative bootstrap document.

// The HTTP bodies they extend (and the id, role and visibility rules) are shared/api/schemas.ts.

import * as z from 'zod'
import { CreatePrincipalBody, CreateWorkspaceBody, IdSchema, RoleSchema, VisibilitySchema } from '../../shared/api/schemas.ts'
import { RegistryError } from './errors.ts'
import { tokenWeakness } from './tokens.ts'

export const TokenSchema = z
  .string()
  .max(512)
  .superRefine((token, ctx) => {
    const weakness = tokenWeakness(token)
    if (weakness) ctx.addIssue({ code: 'custom', message: `token ${weakness}` })
  })

export const NewPrincipalSchema = CreatePrincipalBody.extend({ token: TokenSchema.optional() })
export type NewPrincipal = z.infer<typeof NewPrincipalSchema>

export const NewWorkspaceSchema = CreateWorkspaceBody.extend({
  /** Made owner in the same transaction (e.g. the principal creating it over HTTP). */
  owner: IdSchema.optional(),
})
export type NewWorkspace = z.infer<typeof NewWorkspaceSchema>

export const WorkspacePatchSchema = z.object({
  title: z.string().min(1).max(200).optional(),
  visibility: VisibilitySchema.optional(),
})
export type WorkspacePatch = z.infer<typeof WorkspacePatchSchema>

/**
 * Declarative server setup. Applying it is idempotent: principals and workspaces are
 * upserted (omitted optional fields keep their stored value), listed members get the
 * listed role; nothing unlisted is removed.
 */
export const BootstrapSchema = z.object({
  principals: z
    .array(
      // The token's weakness is reported with the principal it belongs to.
      NewPrincipalSchema.extend({ token: z.string().max(512) }).superRefine((p, ctx) => {
        const weakness = tokenWeakness(p.token)
        if (weakness) ctx.addIssue({ code: 'custom', path: ['token'], message: `token of principal ${p.id} ${weakness}` })
      }),
    )
    .default([]),
  workspaces: z
    .array(
      NewWorkspaceSchema.omit({ owner: true }).extend({
        members: z.record(IdSchema, RoleSchema).default({}),
      }),
    )
    .default([]),
})
export type Bootstrap = z.input<typeof BootstrapSchema>

/** Parses or throws RegistryError('invalid') with a readable message. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input)
  if (!result.success) throw new RegistryError('invalid', `invalid ${what}: ${z.prettifyError(result.error)}`)
  return result.data
}
