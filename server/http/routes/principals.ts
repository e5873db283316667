// Principals are global identities (people, agents, services) with revocable tokens.

import { Hono } from 'hono'
import type { ApiEnv } from '../env.ts'
import type { ApiDeps } from '../deps.ts'
import { jsonBody } from '../validate.ts'
import { CreatePrincipalBody } from '../../../shared/api/schemas.ts'
import type { CreatedPrincipal, PrincipalListing, RevokedPrincipal, RotatedToken } from '../../../shared/api/types.ts'
import { requireAdmin } from '../middleware.ts'
import { notFound } from '../../errors.ts'

export function principalRoutes({ registry, effects }: Pick<ApiDeps, 'registry' | 'effects'>): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  app.use(requireAdmin())
  app.post('/', async (c) => {
    const input = await jsonBody(c, CreatePrincipalBody)
    const created = await registry.createPrincipal(input)
    c.get('log').info({ created: created.id }, 'principal created')
    return c.json(created satisfies CreatedPrincipal, 201)
  })
  app.get('/', (c) => c.json({ principals: registry.listPrincipals() satisfies PrincipalListing[] }))
  app.delete('/:id', async (c) => {
    const id = c.req.param('id')
    if (!registry.getPrincipal(id)) throw notFound(`no principal ${id}`)
    await registry.revokePrincipal(id)
    const { sockets: closed, streams: closedStreams } = effects.take({ kind: 'token', principal: id, why: 'revoked' })
    c.get('log').info({ revoked: id, closedSockets: closed, closedStreams }, 'principal revoked')
    return c.json({ id, revoked: true, closedSockets: closed, closedStreams } satisfies RevokedPrincipal)
  })
  // Rotation: a new token replaces the old one at once (and lifts a revocation); sockets
  // and event streams that authenticated with the old token are closed (server/registryEffects.ts):
  // they come back with the new one.
  app.post('/:id/token', async (c) => {
    const id = c.req.param('id')
    if (!registry.getPrincipal(id)) throw notFound(`no principal ${id} (polyphony admin principal list shows them)`)
    const token = await registry.issueToken(id)
    const { sockets: closed, streams: closedStreams } = effects.take({ kind: 'token', principal: id, why: 'rotated' })
    c.get('log').info({ rotated: id, closedSockets: closed, closedStreams }, 'principal token rotated')
    return c.json({ id, token, closedSockets: closed, closedStreams } satisfies RotatedToken)
  })
  return app
}
