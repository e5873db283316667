// [agents] The watch loop behind `polyphony agent`: reviews every document once, again when
// someone else edits one (debounced), new documents too, never for the agent's own edits.

import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Agent } from '../agents/index.ts'
import { watchDocuments, type WatchLoop } from '../agents/runtime/index.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'
import { connectTestAgent } from './helpers/agents.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { REVIEW_DOC, REVIEW_TEXT } from './fixtures/agents-text.ts'

let server: TestServer | undefined
let loop: WatchLoop | undefined
const agents: Agent[] = []
const stock: StockClient[] = []
afterEach(async () => {
  await loop?.stop()
  for (const a of agents.splice(0)) a.close()
  for (const c of stock.splice(0)) c.destroy()
  await server?.close()
  loop = server = undefined
})

it('re-reviews a document another client edits, and new documents, but not its own edits', async () => {
  server = await startTestServer()
  const agent = await connectTestAgent(server, 'agent-a')
  agents.push(agent)
  agent.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await agent.flushed()
  const bob = connectStock(server.wsUrl, 'w1/shared', 'bob')
  stock.push(bob)
  await synced(bob)
  await waitFor(() => bob.doc.getMap('docs').has(REVIEW_DOC), 'the document at bob')

  const reviews: string[] = []
  loop = watchDocuments(agent, async (doc) => void reviews.push(doc), { debounceMs: 20 })
  await waitFor(() => reviews.length === 1, 'the first review')
  await loop.idle()

  // The agent's own edit asks for nothing.
  agent.edit(REVIEW_DOC, (t) => t.insert(0, 'Agent edit. '))
  // bob's edit of the text (not of the docs map) must trigger a review.
  await waitFor(() => (bob.doc.getMap('docs').get(REVIEW_DOC) as Y.Text).toString().startsWith('Agent edit.'), 'the agent edit at bob')
  ;(bob.doc.getMap('docs').get(REVIEW_DOC) as Y.Text).insert(0, 'Bob edit. ')
  await waitFor(() => reviews.length === 2, 'a review after bob edited the text')
  expect(reviews).toEqual([REVIEW_DOC, REVIEW_DOC])

  // A document bob creates is reviewed too.
  const fresh = new Y.Text()
  bob.doc.getMap('docs').set('second.md', fresh)
  fresh.insert(0, 'A second document.')
  await waitFor(() => reviews.includes('second.md'), 'a review of the new document')
  await loop.idle()
  expect(reviews.filter((d) => d === REVIEW_DOC)).toHaveLength(2)
})
