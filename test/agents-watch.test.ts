// [agents] The watch loop behind `polyphony agent`: reviews every document once, again when
// someone else edits one (debounced), new documents too, never for the agent's own edits.

import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { watchDocuments } from '../agents/runtime/index.ts'
import { useHarness } from './helpers/harness.ts'
import { synced } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { REVIEW_DOC, REVIEW_TEXT } from './fixtures/agents-text.ts'

const t = useHarness()

it('re-reviews a document another client edits, and new documents, but not its own edits', async () => {
  await t.start()
  const agent = await t.agent('agent-a')
  agent.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await agent.flushed()
  const bob = t.stock('w1/shared', 'bob')
  await synced(bob)
  await waitFor(() => bob.doc.getMap('docs').has(REVIEW_DOC), 'the document at bob')

  const reviews: string[] = []
  const loop = watchDocuments(agent, async (doc) => void reviews.push(doc), { debounceMs: 20 })
  t.defer(() => loop.stop())
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
