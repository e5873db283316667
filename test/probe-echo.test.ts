// After every delivery the server probes each writer with a sync step 1 (Connection.probe); a
// y-websocket client answers with a sync step 2 that always carries its whole delete set. Once
// the document has deletions, that answer is never empty, yet after the opening exchange it only
// relays what the room has (the client sent its own changes as updates): it must not be stored
// as the client's own update. Stored, it was history saying bob re-deleted what alice deleted
// (found when the per-turn claims of bd5a817 made the server write's reply wait for it).

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { useHarness } from './helpers/harness.ts'
import { synced, text, type StockClient } from './helpers/clients.ts'
import { until, waitFor } from './helpers/wait.ts'
import { MESSAGE_PERSISTED, MESSAGE_SYNC, persistedRequest, readPersistedReply } from '../shared/wire/index.ts'

const t = useHarness()
const ROOM = 'w1/shared'
const SYNC_STEP_1 = 0

/** A stock client that counts the probes (sync step 1) it answered and can ask for a persisted ack. */
function probed(principal: string): StockClient & { answeredSinceLastChange: () => boolean; persisted: () => Promise<void> } {
  const c = t.stock(ROOM, principal)
  let answered = true
  c.doc.on('update', () => (answered = false))
  const handleSync = c.provider.messageHandlers[MESSAGE_SYNC]
  c.provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, provider, emitSynced, type) => {
    // The subtype is the first byte after the message type (a varuint below 128).
    const step1 = decoder.arr[decoder.pos] === SYNC_STEP_1
    handleSync(encoder, decoder, provider, emitSynced, type)
    // y-websocket sends the answer as soon as this handler returns, in the same turn.
    if (step1) answered = true
  }
  const replies = new Set<number>()
  c.provider.messageHandlers[MESSAGE_PERSISTED] = (_encoder, decoder) => void replies.add(readPersistedReply(decoder).requestId)
  let next = 1
  return {
    ...c,
    answeredSinceLastChange: () => answered,
    // Answered once everything the client sent before (its probe answers too) is stored and applied.
    persisted: async () => {
      const id = next++
      c.provider.ws?.send(persistedRequest(id))
      await waitFor(() => replies.has(id), `${principal}'s persisted reply`)
    },
  }
}

/** Waits until `c` holds `expected` and has answered a probe sent after it, then until that answer was handled. */
async function relayed(c: ReturnType<typeof probed>, expected: string): Promise<void> {
  await until(c.doc, 'update', () => text(c).toString() === expected, `${expected} to reach the client`)
  await waitFor(() => c.answeredSinceLastChange(), 'the client to answer a probe sent after the change')
  await new Promise((r) => setImmediate(r)) // the answer leaves in the turn the probe was handled
  await c.persisted()
}

describe('probe answers after the opening exchange', () => {
  it('a sync reply that only relays deletions the room has is not stored as its sender’s update', async () => {
    await t.start()
    const alice = probed('alice')
    const bob = probed('bob')
    await synced(alice, bob)
    text(alice).insert(0, 'hello brave new world')
    await relayed(bob, 'hello brave new world')
    // A client's deletion: bob is delivered it and probed; his answer carries the delete set.
    text(alice).delete(6, 6)
    await relayed(bob, 'hello new world')
    await relayed(alice, 'hello new world')
    // A server write's deletion: every connected client is probed after it.
    const room = await t.server.core.room(ROOM)
    await room.writeAsServer('alice', 'test', (doc) => doc.getText('main').delete(5, 4))
    await relayed(bob, 'hello world')
    await relayed(alice, 'hello world')
    await room.drain()

    const { updates } = await t.server.storage.load(ROOM)
    expect(updates.map((u) => [u.principal, u.message ?? 'update'])).toEqual([
      ['alice', 'update'],
      ['alice', 'update'],
      ['alice', 'server'],
    ])
    expect(room.doc.getText('main').toString()).toBe('hello world')
  })

  it('what a reply adds is still stored: a deletion the room lacks, from a client that reconnects', async () => {
    await t.start()
    const alice = probed('alice')
    const bob = probed('bob')
    await synced(alice, bob)
    text(alice).insert(0, 'keep this, drop that')
    await relayed(bob, 'keep this, drop that')
    // bob deletes while disconnected: his opening sync reply is the only carrier of the deletion.
    bob.provider.disconnect()
    text(bob).delete(9, 11)
    bob.provider.connect()
    await synced(bob)
    await until(alice.doc, 'update', () => text(alice).toString() === 'keep this', 'bob’s offline deletion to reach alice')
    await bob.persisted()
    const { updates } = await t.server.storage.load(ROOM)
    expect(updates.map((u) => [u.principal, u.message ?? 'update'])).toEqual([
      ['alice', 'update'],
      ['bob', 'sync'],
    ])
    const stored = new Y.Doc()
    for (const u of updates) Y.applyUpdate(stored, u.data)
    expect(stored.getText('main').toString()).toBe('keep this')
  })
})
