// Several servers on one PostgreSQL: an API request that needs a room another instance owns is
// forwarded whole to that owner (server/cluster/forwardToOwner.ts) and answered from there.
import { describe, expect, it } from 'vitest'
import { useHarness } from './helpers/harness.ts'
import { synced } from './helpers/clients.ts'
import { freshDatabase } from './helpers/postgres.ts'
import { token } from './helpers/server.ts'
import { waitFor } from './helpers/wait.ts'

const h = useHarness()

async function twoInstances() {
  const database = await freshDatabase('fwd')
  const a = await h.start({ database, instanceId: 'a', cluster: { leaseMs: 2000 } })
  const b = await h.start({ database, instanceId: 'b', cluster: { leaseMs: 2000 } })
  return { a, b }
}

const as = (who: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
})

describe('API requests on an instance that does not own the room', () => {
  it('are forwarded to the owner: a document written through b is in a’s room, read back through b', async () => {
    const { a, b } = await twoInstances()
    const alice = h.stock('w1/shared', 'alice', { server: a })
    await synced(alice)
    const put = await fetch(`${b.url}/api/workspaces/w1/docs/notes`, as('bob', { method: 'PUT', body: JSON.stringify({ text: 'written via b' }) }))
    expect(put.status).toBe(201)
    await waitFor(() => alice.doc.getMap('docs').get('notes')?.toString() === 'written via b', 'alice sees the document')
    const read = await fetch(`${b.url}/api/workspaces/w1/docs/notes`, as('bob'))
    expect(read.status).toBe(200)
    expect(((await read.json()) as { text: string }).text).toBe('written via b')
    expect(b.core.stats().rooms).toBe(0)
    // Refusals come from the owner unchanged, with its error body.
    const bad = await fetch(`${b.url}/api/workspaces/w1/docs/notes`, as('vic', { method: 'PUT', body: JSON.stringify({ text: 'viewer' }) }))
    expect(bad.status).toBe(403)
  })

  it('a forwarded request that lands on a non-owner is not forwarded again: 503 room_moved, nothing written', async () => {
    const { a, b } = await twoInstances()
    const alice = h.stock('w1/shared', 'alice', { server: a })
    await synced(alice)
    const res = await fetch(
      `${b.url}/api/workspaces/w1/docs/notes`,
      as('bob', { method: 'PUT', body: JSON.stringify({ text: 'looping' }), headers: { 'x-polyphony-forwarded': '1' } }),
    )
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('room_moved')
    expect(alice.doc.getMap('docs').has('notes')).toBe(false)
  })
})
