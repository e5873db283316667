// [history] "As read": an annotation's anchor records the shared document's snapshot when it was
// made, and POST .../docs/:id/as-read gives back the text its author read, after later edits by
// others; an anchor with only a state vector gets an approximate text; untrusted bytes are refused.

import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { connectTestAgent } from './helpers/agents.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import type { Agent } from '../agents/index.ts'
import { createDocument, documentText } from '../shared/documents.ts'

let server: TestServer
const agents: Agent[] = []
const stock: StockClient[] = []
afterEach(async () => {
  for (const a of agents.splice(0)) a.close()
  for (const c of stock.splice(0)) c.destroy()
  await server?.close()
})

const asRead = (who: string, doc: string, body: unknown) =>
  httpJson<{ text?: string; exact?: boolean; error?: { message: string } }>(server.url + `/api/workspaces/w1/docs/${doc}/as-read`, { method: 'POST', token: token(who), body })

describe('text as read', () => {
  it('gives the text an annotation was made against, beside a current text edited since', async () => {
    server = await startTestServer({ history: { idleMs: 600_000 } })
    const alice = connectStock(server.wsUrl, 'w1/shared', 'alice')
    stock.push(alice)
    await synced(alice)
    const id = createDocument(alice.doc, 'Plan', 'Revenue grew 40% last year.')
    const serverText = async () => documentText((await server.core.room('w1/shared')).doc, id)?.toString()
    await waitFor(async () => (await serverText()) === 'Revenue grew 40% last year.', 'the document on the server')

    const agent = await connectTestAgent(server, 'agent-a')
    agents.push(agent)
    await waitFor(() => agent.read(id) === 'Revenue grew 40% last year.', 'the document at the agent')
    agent.annotate(id, { quote: 'grew 40%' }, { comment: 'Source?' })
    await agent.flushed()
    const [annotation] = agent.annotations(id)
    expect(annotation.target.snapshot).toBeTruthy()

    // Alice rewrites after the reading: deletes and inserts.
    const text = documentText(alice.doc, id)!
    alice.doc.transact(() => {
      text.delete(13, 3)
      text.insert(13, '12%')
      text.insert(text.length, ' Costs fell.')
    })
    await waitFor(async () => (await serverText()) === 'Revenue grew 12% last year. Costs fell.', 'the rewrite on the server')

    const read = await asRead('vic', id, { snapshot: annotation.target.snapshot })
    expect(read.status, JSON.stringify(read.json)).toBe(200)
    expect(read.json).toEqual({ text: 'Revenue grew 40% last year.', exact: true })

    // A state vector alone: the insertions after it are left out; deletions since the last
    // version it covers cannot be known, so the answer says it is approximate.
    const approx = await asRead('vic', id, { stateVector: annotation.target.stateVector })
    expect(approx.status).toBe(200)
    expect(approx.json.exact).toBe(false)
    expect(approx.json.text).not.toContain('Costs fell')
    expect(approx.json.text).toContain('40%')

    for (const body of [{ snapshot: 'not base64!' }, { snapshot: '/////w==' }, { stateVector: '////' }, {}, { snapshot: 'x'.repeat(20_000) }]) {
      const bad = await asRead('vic', id, body)
      expect(bad.status, JSON.stringify(body).slice(0, 40)).toBe(400)
      expect(bad.json.error?.message).toMatch(/snapshot|stateVector|characters/)
    }
    // A valid snapshot from before the document existed (empty): nothing to show, said plainly.
    const before = await asRead('vic', id, { snapshot: 'AAAA' })
    expect(before.status).toBe(404)
    expect(before.json.error?.message).toMatch(/did not exist/)
    expect((await asRead('outsider', id, { snapshot: annotation.target.snapshot })).status).toBe(404)
  })
})
