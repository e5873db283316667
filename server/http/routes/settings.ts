// Workspace settings: every member reads them (they explain what agents may do alone); owners
// and administrators change them. Validated whole (shared/workspaceSettings.ts) and stored
// with the workspace in the registry.

import { Hono } from 'hono'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody } from '../validate.ts'
import { forbidden, notFound } from '../../errors.ts'
import { member } from '../member.ts'
import { mayManageMembers } from '../../../shared/access.ts'
import { WorkspaceSettingsSchema } from '../../../shared/workspaceSettings.ts'
import * as z from 'zod'

export function settingsRoutes({ registry }: Pick<ApiDeps, 'registry'>): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const inWorkspace = member(registry)

  app.get('/:ws/settings', inWorkspace, (c) => {
    const { workspace } = c.var
    const settings = registry.settings(workspace.id)
    if (!settings) throw notFound(`no workspace ${workspace.id}`)
    return c.json(settings)
  })

  app.put('/:ws/settings', inWorkspace, async (c) => {
    const { principal, workspace, role } = c.var
    if (!principal.admin && !mayManageMembers(role)) throw forbidden('only workspace owners and administrators change workspace settings')
    const settings = await jsonBody(c, WorkspaceSettingsSchema, {
      invalid: (error) => `invalid workspace settings: ${z.prettifyError(error)} (e.g. { "arbiter": { "autoApply": ["map-key-overwrite"] } })`,
    })
    return c.json(await registry.setSettings(workspace.id, settings))
  })

  return app
}
