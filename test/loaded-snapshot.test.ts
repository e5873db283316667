// [perf] A room that loaded its snapshot alone answers a client that has nothing with that snapshot
// (server/core/loadedSnapshot.ts), never with what the document no longer is: not after a change,
// not when updates were replayed after it, not when it holds structs the room cannot place, and a
// client that has the document is sent only what it lacks. Real server, restarted on its data.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import { useHarness } from './helpers/harness.ts'
import { synced, text } from './helpers/clients.ts'
import { until } from './helpers/wait.ts'
import { openRaw, syncMessage, syncStep1 } from './helpers/rawSocket.ts'
import type { TestServer } from './helpers/server.ts'

const t = useHarness()

/** The sync step 2 the server sends a raw client whose document is `doc` (empty: a fresh client). */
async function step2(server: TestServer, room: string, doc: Y.Doc = new Y.Doc()): Promise<Uint8Array> {
  const raw = openRaw(server.wsUrl, room, 'alice')
  t.defer(() => raw.close())
  await raw.opened()
  raw.send(syncStep1(doc))
  const reply = await raw.waitFor('sync', (m) => m.subtype === syncProtocol.messageYjsSyncStep2)
  return reply.payload
}

/** A document holding `update` (applied to a fresh one). */
function docOf(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

/** Writes `s` at the end of the room's text as alice and waits until the server applied it. */
async function write(server: TestServer, room: string, s: string): Promise<void> {
  const alice = t.stock(room, 'alice')
  await synced(alice)
  text(alice).insert(text(alice).length, s)
  const served = await server.core.room(room)
  await until(served.doc, 'afterTransaction', () => served.doc.getText('main').toString().endsWith(s), `the server to apply ${s}`)
  await served.drain()
  alice.destroy()
}

// A shared room (conflict detector, deletions kept) and a namespace room (plain load).
for (const room of ['team/shared', 'team/ns/alice']) {
  describe(`after a restart (${room})`, () => {
    it('a fresh client gets the whole document, and so does the next; a client that has it gets no structs; after a change, fresh clients get the change', async () => {
      let server = await t.start()
      await write(server, room, 'hello')
      await (await server.core.room(room)).compactIfNeeded(true)
      server = await server.restart()

      const first = docOf(await step2(server, room))
      expect(first.getText('main').toString()).toBe('hello')
      // A second fresh client is answered the same way; one holding everything gets no structs.
      expect(
        docOf(await step2(server, room))
          .getText('main')
          .toString(),
      ).toBe('hello')
      expect(Y.decodeUpdate(await step2(server, room, first)).structs).toEqual([])

      await write(server, room, ' world')
      expect(
        docOf(await step2(server, room))
          .getText('main')
          .toString(),
      ).toBe('hello world')
      // A client with the loaded state is sent the rest, which the snapshot does not hold.
      const rest = await step2(server, room, first)
      Y.applyUpdate(first, rest)
      expect(first.getText('main').toString()).toBe('hello world')
    })

    it('updates stored after the snapshot reach a fresh client', async () => {
      let server = await t.start()
      await write(server, room, 'snap')
      await (await server.core.room(room)).compactIfNeeded(true)
      await write(server, room, 'shot')
      // Closing compacts only a long log (500 updates): the update stays after the snapshot.
      server = await server.restart()
      expect(
        docOf(await step2(server, room))
          .getText('main')
          .toString(),
      ).toBe('snapshot')
    })

    it('structs the room cannot place (stored while their dependency was missing) are not sent', async () => {
      let server = await t.start()
      await write(server, room, 'base')
      // A writer's insert after an item of a client the server never received.
      const missing = new Y.Doc()
      missing.getText('main').insert(0, 'never sent')
      const writer = new Y.Doc()
      Y.applyUpdate(writer, Y.encodeStateAsUpdate(missing))
      writer.getText('main').insert(0, 'held')
      const held = Y.encodeStateAsUpdate(writer, Y.encodeStateVector(missing))
      const raw = openRaw(server.wsUrl, room, 'alice', { params: { persisted: '1' } })
      t.defer(() => raw.close())
      await raw.opened()
      raw.send(syncMessage(held))
      await raw.persisted(1)
      const served = await server.core.room(room)
      expect(served.pendingUpdates).toBe(1)
      await served.compactIfNeeded(true)
      raw.close()
      server = await server.restart()

      const fresh = docOf(await step2(server, room))
      expect(fresh.getText('main').toString()).toBe('base')
      expect(fresh.store.pendingStructs).toBeNull()
      expect(fresh.store.clients.has(writer.clientID)).toBe(false)
    })
  })
}
