// [agents] Two agents read the same text through different lenses: each writes its own
// annotations into its own namespace, and who may read a namespace follows the workspace's
// visibility (private: owner + reviewers; team: all members; blind: after the owner submits).

import { describe, expect, it } from 'vitest'
import type { Agent } from '../agents/index.ts'
import { runOfflineReview } from '../agents/runtime/index.ts'
import { claimsReviewer, clarityReviewer } from '../agents/reviewers/index.ts'
import { token, type TestServer } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import type { StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { REVIEW_DOC, REVIEW_TEXT, storedAnnotations } from './fixtures/agents-text.ts'

const t = useHarness()
/** The stock clients openNamespace opened in this test, for a test that writes through one. */
const opened: StockClient[] = []

/** agent-a (clarity) and agent-b (claims) review the same document in `workspace`. */
async function twoReviews(workspace: string) {
  const server = await t.start()
  const a = await t.agent('agent-a', { workspace })
  const b = await t.agent('agent-b', { workspace })
  a.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await a.flushed()
  await waitFor(() => b.documents().includes(REVIEW_DOC), 'the document at agent-b')
  const ra = await runOfflineReview(a, clarityReviewer, REVIEW_DOC)
  const rb = await runOfflineReview(b, claimsReviewer, REVIEW_DOC)
  expect(ra.created).toBeGreaterThan(0)
  expect(rb.created).toBeGreaterThan(0)
  return { server, a, b }
}

type Outcome = { readable: true; labels: string[] } | { readable: false; code: number; reason: string }

/** Opens `workspace/ns/owner` as `who` with a stock client: either the namespace's contents or the refusal. */
async function openNamespace(s: TestServer, workspace: string, owner: string, who: string): Promise<Outcome> {
  const c = t.stock(`${workspace}/ns/${owner}`, who, { server: s })
  opened.push(c)
  t.defer(() => void opened.splice(opened.indexOf(c), 1))
  await waitFor(() => c.provider.synced || c.closes.length > 0, `${who} opening ${owner}'s namespace`)
  if (!c.provider.synced) {
    c.provider.disconnect()
    return { readable: false, code: c.closes[0]!.code, reason: c.closes[0]!.reason }
  }
  return {
    readable: true,
    labels: storedAnnotations(c.doc.getMap('annotations'))
      .map((x) => x.body.label ?? '')
      .sort(),
  }
}

const labelsOf = (agent: Agent) =>
  agent
    .annotations(REVIEW_DOC)
    .map((x) => x.body.label ?? '')
    .sort()

describe('two agents, one text, separate namespaces', () => {
  it('write different readings, each only into its own namespace', async () => {
    const { server, a, b } = await twoReviews('team')
    const la = labelsOf(a)
    const lb = labelsOf(b)
    // Different lenses: each reading has labels the other does not.
    expect(la.some((l) => !lb.includes(l))).toBe(true)
    expect(lb.some((l) => !la.includes(l))).toBe(true)
    for (const x of a.annotations()) expect(x.author).toBe('agent-a')
    for (const x of b.annotations()) expect(x.author).toBe('agent-b')
    // The server holds exactly what each agent wrote, in the right room.
    const nsA = storedAnnotations((await server.core.room('team/ns/agent-a')).doc.getMap('annotations'))
    const nsB = storedAnnotations((await server.core.room('team/ns/agent-b')).doc.getMap('annotations'))
    expect(nsA.map((x) => x.id).sort()).toEqual(
      a
        .annotations()
        .map((x) => x.id)
        .sort(),
    )
    expect(nsB.map((x) => x.id).sort()).toEqual(
      b
        .annotations()
        .map((x) => x.id)
        .sort(),
    )
    // Same text, overlapping spans, yet no annotation id is shared: they are different readings.
    expect(nsA.filter((x) => nsB.some((y) => y.id === x.id))).toEqual([])
  })

  it('private workspace (w1): owner and reviewer read agent-a’s namespace; an editor and the other agent are refused', async () => {
    const { server, a } = await twoReviews('w1')
    const expected = labelsOf(a)
    expect(await openNamespace(server, 'w1', 'agent-a', 'alice')).toEqual({ readable: true, labels: expected })
    expect(await openNamespace(server, 'w1', 'agent-a', 'rita')).toEqual({ readable: true, labels: expected })
    expect(await openNamespace(server, 'w1', 'agent-a', 'bob')).toMatchObject({ readable: false, code: 4403, reason: expect.stringMatching(/private/) })
    // Independent readings: agent-b cannot peek at agent-a's.
    expect(await openNamespace(server, 'w1', 'agent-a', 'agent-b')).toMatchObject({ readable: false, code: 4403 })
    expect(await openNamespace(server, 'w1', 'agent-a', 'outsider')).toMatchObject({ readable: false, code: 4403 })
  })

  it('team workspace: every member reads agent-a’s namespace, but only agent-a writes it', async () => {
    const { server, a } = await twoReviews('team')
    expect(await openNamespace(server, 'team', 'agent-a', 'bob')).toEqual({ readable: true, labels: labelsOf(a) })
    expect(await openNamespace(server, 'team', 'agent-a', 'vic')).toEqual({ readable: true, labels: labelsOf(a) })
    // bob's write into agent-a's namespace is refused and never stored.
    const bob = opened.find((c) => c.provider.roomname === 'team/ns/agent-a' && c.provider.synced)!
    bob.doc.getMap('annotations').set('forged', { author: 'agent-a', body: { comment: 'forged by bob' } })
    await waitFor(() => bob.denials.length > 0, 'bob told his write was refused')
    expect(bob.denials[0]).toMatch(/read-only/)
    expect((await server.core.room('team/ns/agent-a')).doc.getMap('annotations').has('forged')).toBe(false)
  })

  it('blind workspace: bob reads agent-a’s namespace only after agent-a submits its review', async () => {
    const { server, a } = await twoReviews('blind')
    expect(await openNamespace(server, 'blind', 'agent-a', 'bob')).toMatchObject({ readable: false, code: 4403, reason: expect.stringMatching(/hidden until/) })
    expect(await openNamespace(server, 'blind', 'agent-a', 'agent-b')).toMatchObject({ readable: false, code: 4403 })
    // Nobody else may submit on agent-a's behalf.
    const submitAs = (who: string) =>
      fetch(`${server.url}/api/workspaces/blind/namespaces/agent-a/submitted`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ submitted: true }),
      })
    expect((await submitAs('bob')).status).toBe(403)
    expect(await openNamespace(server, 'blind', 'agent-a', 'bob')).toMatchObject({ readable: false, code: 4403 })
    // agent-a submits with its own token (through the SDK's API client, as an agent would).
    expect(await a.api.setSubmitted('blind', 'agent-a', true)).toMatchObject({ submitted: true })
    expect(await openNamespace(server, 'blind', 'agent-a', 'bob')).toEqual({ readable: true, labels: labelsOf(a) })
    // agent-b has not submitted: its namespace stays hidden from bob.
    expect(await openNamespace(server, 'blind', 'agent-b', 'bob')).toMatchObject({ readable: false, code: 4403 })
  })
})
