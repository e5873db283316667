// zod schemas for every registry input, including the declarative bootstrap document.

import { z } from 'zod'
import { PRINCIPAL_KINDS, ROLES, VISIBILITIES } from '../../shared/model.ts'
import { ID_PATTERN } from '../../shared/rooms.ts'
import { RegistryError } from './errors.ts'
import { MIN_TOKEN_LENGTH } from './tokens.ts'

export const IdSchema = z.string().regex(ID_PATTERN, 'must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}')
export const RoleSchema = z.enum(ROLES)
export const VisibilitySchema = z.enum(VISIBILITIES)
export const TokenSchema = z.string().min(MIN_TOKEN_LENGTH).max(512)

export const NewPrincipalSchema = z.object({
  id: IdSchema,
  kind: z.enum(PRINCIPAL_KINDS),
  name: z.string().min(1).max(200).optional(),
  admin: z.boolean().optional(),
  token: TokenSchema.optional(),
})
export type NewPrincipal = z.infer<typeof NewPrincipalSchema>

export const NewWorkspaceSchema = z.object({
  id: IdSchema,
  title: z.string().min(1).max(200).optional(),
  visibility: VisibilitySchema.optional(),
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
    .array(NewPrincipalSchema.required({ token: true }))
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
